/** Where the local host listens unless told otherwise: the Functions host's local default port. */
export const DEFAULT_PORT = 7071;

/** The local host's data folder unless told otherwise, relative to the working directory. */
export const DEFAULT_DATA_DIR = '.data';
