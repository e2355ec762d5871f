import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { PublicRoute } from '../http/public-route.decorator';
import { DEPENDENCY_PROBES, type DependencyProbe, SERVICE_PROBES } from './dependency-probe';

/** Liveness says the process serves requests; readiness says its broker and database answer too. */
@Controller('health')
@PublicRoute()
export class HealthController {
  private readonly probes: DependencyProbe[];

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(DEPENDENCY_PROBES) dependencies: DependencyProbe[],
    @Optional() @Inject(SERVICE_PROBES) own: DependencyProbe[] | null,
  ) {
    this.probes = [...dependencies, ...(own ?? [])];
  }

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.probes.map((probe) => async () => {
        const session = this.indicators.check(probe.name);
        try {
          await probe.check();
          return session.up();
        } catch (error) {
          return session.down({ message: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
  }
}
