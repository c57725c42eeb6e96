import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AgentGateway } from './agents/agent-gateway.js';
import { AgentGatewayServer } from './agents/agent-gateway.server.js';
import { AgentSessions } from './agents/agent-sessions.service.js';
import { EnrolmentService } from './agents/enrolment.service.js';
import { TrustedHosts } from './agents/trusted-hosts.js';
import { OperatorAuthGuard } from './auth/operator-auth.guard.js';
import { CatalogSync } from './catalog/catalog-sync.service.js';
import { ClusterBus } from './cluster/cluster-bus.js';
import { FleetPresence } from './cluster/fleet-presence.js';
import { HostMessenger } from './cluster/host-messenger.js';
import { WorkLease } from './cluster/work-lease.js';
import { CatalogService } from './catalog/catalog.service.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { ControllerEvents } from './events/controller-events.js';
import { EventStreams } from './events/event-streams.service.js';
import { EventTickets } from './events/event-tickets.js';
import { EventsController } from './events/events.controller.js';
import { FileReaper } from './catalog/file-reaper.service.js';
import { ReplicationPlanner } from './catalog/replication-planner.service.js';
import { OperatorTokensController } from './auth/operator-tokens.controller.js';
import { OperatorTokensService } from './auth/operator-tokens.service.js';
import { CONTROLLER_CONFIG, type ControllerConfig } from './config/controller-config.js';
import { EndpointsController } from './endpoints/endpoints.controller.js';
import { EndpointsService } from './endpoints/endpoints.service.js';
import { HttpExceptionFilter } from './errors/http-exception.filter.js';
import { DataHosts } from './front-door/data-hosts.js';
import { FrontDoorBackend } from './front-door/front-door-backend.js';
import { FrontDoorServer } from './front-door/front-door.server.js';
import { UploadRelay } from './front-door/upload-relay.js';
import { HealthController } from './health/health.controller.js';
import { HostsController } from './hosts/hosts.controller.js';
import { HostsService } from './hosts/hosts.service.js';
import { ImageTokenSigner } from './image-tokens/image-token-signer.js';
import { ImageTokensController } from './image-tokens/image-tokens.controller.js';
import { ImagesController } from './images/images.controller.js';
import { ImagesService } from './images/images.service.js';
import { JoinTokensController } from './join-tokens/join-tokens.controller.js';
import { JoinTokensService } from './join-tokens/join-tokens.service.js';
import { FleetMetrics } from './metrics/fleet-metrics.js';
import { HttpMetrics } from './metrics/http-metrics.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsRegistry } from './metrics/metrics-registry.js';
import { PkiModule } from './pki/pki.module.js';
import { StoreModule } from './store/store.module.js';

@Module({})
export class AppModule {
  static forConfig(config: ControllerConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [StoreModule, PkiModule],
      controllers: [HealthController, HostsController, JoinTokensController, OperatorTokensController, ImagesController, ImageTokensController, EndpointsController, EventsController, MetricsController, DashboardController],
      providers: [
        { provide: CONTROLLER_CONFIG, useValue: config },
        { provide: APP_GUARD, useClass: OperatorAuthGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        OperatorTokensService,
        JoinTokensService,
        HostsService,
        EnrolmentService,
        ClusterBus,
        WorkLease,
        AgentSessions,
        TrustedHosts,
        FleetPresence,
        HostMessenger,
        AgentGateway,
        AgentGatewayServer,
        CatalogService,
        EndpointsService,
        CatalogSync,
        FileReaper,
        ReplicationPlanner,
        ImagesService,
        ImageTokenSigner,
        ControllerEvents,
        EventTickets,
        EventStreams,
        MetricsRegistry,
        HttpMetrics,
        FleetMetrics,
        DataHosts,
        UploadRelay,
        FrontDoorBackend,
        FrontDoorServer,
      ],
      exports: [CONTROLLER_CONFIG],
    };
  }
}
