export const adminDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const rabbit = {
  host: '127.0.0.1',
  webStompPort: 15674,
  stompPort: 61613,
  managementUrl: process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672',
  login: process.env.STOMP_LOGIN ?? 'guest',
  passcode: process.env.STOMP_PASSCODE ?? 'guest',
};
