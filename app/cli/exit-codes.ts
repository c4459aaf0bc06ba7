/** Conventional exit codes of `ferry`: 0 success, 1 failure, 2 usage error (nothing changed). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
