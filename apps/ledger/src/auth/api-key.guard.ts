import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, PUBLIC_ROUTE, UnauthenticatedError } from '@ledger/platform';
import { allows, bearerToken, type Principal, type Scope } from './api-key';
import { ApiKeysService } from './api-keys.service';
import { addressOfGrpcPeer, throttleKeyOf } from './client-address';
import { FAILED_AUTHENTICATIONS, RateLimit } from './rate-limit';
import { REQUIRED_SCOPES } from './require-scopes.decorator';

/** Where the guard leaves the caller for handlers (HTTP request object or gRPC metadata holder). */
export const PRINCIPAL = Symbol('principal');

/**
 * Every route needs a key unless marked public; a route without declared scopes admits only admins,
 * so forgetting a decorator fails closed.
 *
 * Failed authentications (no key, a malformed, unknown or revoked one) are counted per client network, and past
 * the burst they answer 429 instead of 401 until the bucket refills. A key that checks out is never counted or
 * refused, so a client that shares an address with a guesser keeps working, and the success path does no
 * throttling work at all.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly failedAuthentications = new RateLimit(FAILED_AUTHENTICATIONS, 'too many failed authentications from this address');

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, targets) ?? ['admin'];
    const carrier = carrierOf(context);
    let principal: Principal;
    // A try block rather than .catch(): no promise or closure more per call on the success path.
    try {
      principal = await this.apiKeys.authenticate(bearerToken(carrier.authorization()));
    } catch (error) {
      if (error instanceof UnauthenticatedError) this.failedAuthentications.take(throttleKeyOf(clientAddressOf(context)));
      throw error;
    }
    if (!allows(principal, required)) throw new ForbiddenError(`this API key lacks the scope ${required.join(' and ')}`);
    carrier.holder[PRINCIPAL] = principal;
    return true;
  }
}

function carrierOf(context: ExecutionContext): { authorization(): string | undefined; holder: Record<symbol, unknown> } {
  if (context.getType() === 'rpc') {
    const metadata = context.switchToRpc().getContext<{ get(key: string): unknown[] }>();
    return { authorization: () => String(metadata.get('authorization')[0] ?? '') || undefined, holder: metadata as never };
  }
  const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
  return { authorization: () => request.headers.authorization, holder: request as never };
}

/** The peer's own address. A forwarding header is not trusted: no proxy in front of the ledger is configured as trusted. */
function clientAddressOf(context: ExecutionContext): string | undefined {
  if (context.getType() === 'rpc') {
    // Nest calls gRPC handlers with (request, metadata, call); only the call knows the peer.
    const call = context.getArgByIndex<{ getPeer?(): string } | undefined>(2);
    return addressOfGrpcPeer(call?.getPeer?.() ?? '');
  }
  return context.switchToHttp().getRequest<{ socket?: { remoteAddress?: string } }>().socket?.remoteAddress;
}

export function principalOf(holder: unknown): Principal {
  const principal = (holder as Record<symbol, Principal | undefined>)[PRINCIPAL];
  if (!principal) throw new Error('no principal: the route is not behind ApiKeyGuard');
  return principal;
}
