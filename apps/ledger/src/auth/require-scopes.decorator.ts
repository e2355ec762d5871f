import { SetMetadata } from '@nestjs/common';
import { type Scope } from './api-key';

export const REQUIRED_SCOPES = 'ledger:required-scopes';

/** The scopes a caller's key must carry (an admin key carries them all). */
export const RequireScopes = (...scopes: Scope[]) => SetMetadata(REQUIRED_SCOPES, scopes);
