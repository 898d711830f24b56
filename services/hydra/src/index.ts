export { loadHydraConfig, type HydraConfig } from './config.js';
export { sendDueDigests } from './digests.js';
export { folderMailer, smtpMailer, type Mail, type Mailer } from './mailer.js';
export { notify, recipientsOf, stableMessageId, type NotifyDeps } from './notify.js';
export { startHydra, type HydraOptions } from './start-hydra.js';
