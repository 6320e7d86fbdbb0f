/**
 * Preset dictionary for archive frames (codec DeflateDictV1). Deflate treats it as text that came just
 * before the frame, so the field names, enumerations and SQL vocabulary every record repeats cost a few
 * bits from the first record on, even in a frame of one. It holds only the schema's vocabulary, never data.
 * Changing it changes how frames decode: add a new codec with a new dictionary instead of editing this one.
 */
const sqlVocabulary = [
  'SELECT COUNT(*) FROM ',
  'SELECT TOP 100 * FROM ',
  ' WHERE ',
  ' AND ',
  ' OR ',
  ' GROUP BY ',
  ' ORDER BY ',
  ' DESC',
  ' LIMIT ',
  ' INNER JOIN ',
  ' LEFT JOIN ',
  ' ON ',
  ' AS ',
  ' IN (',
  ' BETWEEN ',
  ' LIKE ',
  'SUM(',
  'AVG(',
  'INSERT INTO ',
  ' VALUES (',
  'UPDATE ',
  ' SET ',
  'DELETE FROM ',
  'CREATE TABLE ',
  'ALTER TABLE ',
  'DROP TABLE ',
  'EXEC ',
  'GRANT SELECT ON ',
  'information_schema.columns',
  'information_schema.tables',
  'dbo.',
  'public.',
  'customer_id',
  'order_id',
  'created_at',
  'amount',
  '= ?',
].join('');

const recordSkeletons = [
  '{"derived":{"fingerprint":"","fingerprintId":"","statementKind":"SELECT","statementKindDerived":false},',
  '"event":{"data":{"actor":{"id":"agent-","ip":"hmac-sha256:","name":"","type":"agent"},',
  '"client":{"name":"","version":"1.0."},"outcome":{"durationMs":,"rowsAffected":0,"rowsReturned":,"status":"success"},',
  '"outcome":{"durationMs":,"errorCode":"","errorMessage":"","status":"failure"},',
  '"policy":{"decision":"allow","ruleId":""},"policy":{"decision":"deny","ruleId":""},',
  '"session":{"id":""},"statement":{"kind":"SELECT","parameters":"hmac-sha256:","text":""},',
  '"target":{"database":"","objects":["dbo."],"server":""},"tool":{"arguments":"hmac-sha256:","name":"read_query"}},',
  '"datacontenttype":"application/json","id":"","source":"mcp://","specversion":"1.0","subject":"",',
  '"tenantid":"","time":"2026-","traceparent":"00-","type":"com.sqlmcp.tool.invoked"},',
  '"type":"com.sqlmcp.session.started"},"type":"com.sqlmcp.session.ended"},"type":"com.sqlmcp.auth.failed"},',
  '"type":"com.sqlmcp.policy.denied"},"type":"com.sqlmcp.config.changed"},',
  '"actor":{"id":"user-","type":"user"},"actor":{"id":"svc-","type":"service"},',
  '"kind":"INSERT""kind":"UPDATE""kind":"DELETE""kind":"DDL""kind":"EXEC""kind":"OTHER"',
  '"status":"denied""status":"failure"',
  '"log":{"enqueuedTime":"2026-","index":,"partition":"","sequenceNumber":},',
  '"redacted":["/data/actor/ip","/data/statement/parameters","/data/tool/arguments"]}',
].join('');

export const ARCHIVE_DICTIONARY_V1 = sqlVocabulary + recordSkeletons;
