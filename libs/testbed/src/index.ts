export { HostNetwork, inMountNamespaceOf, planNetwork, type NetworkPlan } from './host-network.js';
