export { HostNetwork, inMountNamespaceOf, planNetwork, type NetworkPlan } from './host-network.js';
export { findPostgresBinaries, postgresForTests, startPostgres, type PostgresBinaries, type PostgresServer } from './postgres-server.js';
