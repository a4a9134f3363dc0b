import type { SourcePreset } from '../types.js';

/**
 * GitLab.com's Web/API fleet, where its webhooks come from (docs.gitlab.com/user/gitlab_com/,
 * "IP range": "This whole range is solely allocated to GitLab"). Only GitLab.com: a self-managed
 * GitLab sends from wherever it runs. GitLab publishes this as prose only, so there is no feed.
 */
export const GITLAB_PRESET: SourcePreset = Object.freeze({
  source: 'https://docs.gitlab.com/user/gitlab_com/#ip-range',
  takenOn: '2026-11-28',
  cidrs: Object.freeze(['34.74.90.64/28', '34.74.226.0/24']),
});
