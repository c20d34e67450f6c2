/**
 * The catalogue in use. examhall ships English; a translation adds a file
 * next to en.ts and is chosen here.
 */
import { en } from './en';
import type { Messages } from './messages';

export type { CheckId, CheckText, Messages } from './messages';

export const t: Messages = en;
