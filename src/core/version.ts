// Kept in sync with package.json by a unit test; importing package.json would pull it into the
// renderer bundle and break under some bundlers' JSON handling.
export const IAFA_VERSION = '0.1.0';
