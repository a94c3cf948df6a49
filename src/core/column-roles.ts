/**
 * The column names IAFA takes for the user, time and event roles, normalised by `normName`
 * (lower case, letters and digits only). One list for files (import/detect.ts) and warehouse
 * tables (backends/clickhouse/schema.ts), so a column is recognised the same way in both.
 */
export const normName = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

export const USER_NAMES = [
  'userid',
  'user',
  'visitorid',
  'distinctid',
  'auctionid',
  'uid',
  'customerid',
  'clientid',
  'anonymousid',
  'playerid',
  'personid',
  'accountid',
  'sessionid',
  'deviceid',
  'mqlid',
  'leadid',
];
export const TIME_NAMES = ['timestamp', 'eventtime', 'time', 'ts', 'date', 'datetime', 'eventtimestamp', 'eventdate', 'createdat', 'occurredat', 'day'];
export const EVENT_NAMES = ['event', 'eventtype', 'eventname', 'behaviortype', 'behavior', 'action', 'eventaction', 'type'];
