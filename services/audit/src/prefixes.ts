/** Where the audit is mounted: its API under /v1/audit, its web page under /audit. */
export const AUDIT = '/v1/audit';
export const AUDIT_PAGE = '/audit';
