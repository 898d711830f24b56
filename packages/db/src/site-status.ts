import type { Queryable } from './pool.js';

export interface SiteStatus {
  announcement: string | null;
  maintenance: boolean;
  maintenanceMessage: string | null;
  retryAfterSeconds: number;
}

const columns = `announcement, maintenance, maintenance_message as "maintenanceMessage", retry_after_seconds as "retryAfterSeconds"`;

export async function getSiteStatus(db: Queryable): Promise<SiteStatus> {
  const { rows } = await db.query<SiteStatus>(`select ${columns} from site_status`);
  return rows[0] as SiteStatus;
}

export async function setAnnouncement(db: Queryable, announcement: string | null): Promise<SiteStatus> {
  const { rows } = await db.query<SiteStatus>(`update site_status set announcement = $1, updated_at = now() returning ${columns}`, [announcement]);
  return rows[0] as SiteStatus;
}

export async function setMaintenance(db: Queryable, change: { enabled: boolean; message?: string | null; retryAfterSeconds?: number }): Promise<SiteStatus> {
  const { rows } = await db.query<SiteStatus>(
    `update site_status set maintenance = $1, maintenance_message = coalesce($2, maintenance_message),
            retry_after_seconds = coalesce($3, retry_after_seconds), updated_at = now() returning ${columns}`,
    [change.enabled, change.message ?? null, change.retryAfterSeconds ?? null],
  );
  return rows[0] as SiteStatus;
}
