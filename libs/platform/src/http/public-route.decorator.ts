import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'platform:public-route';

/** Served without credentials (health checks); every other route goes through the app's auth guard. */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);
