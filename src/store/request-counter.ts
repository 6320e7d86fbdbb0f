import {
  createDefaultHttpClient,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';

/**
 * An HTTP client for the storage SDKs' transport seam that counts the requests they send (the benchmark's
 * "storage requests per 1,000 events", and tests that measure how many reads a query makes).
 */
export class RequestCounter implements HttpClient {
  private readonly inner: HttpClient = createDefaultHttpClient();
  requests = 0;

  sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    this.requests++;
    return this.inner.sendRequest(request);
  }
}
