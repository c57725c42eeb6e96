export { openStore, ENTITIES, type StoreOptions } from './data-source.js';
export { Store } from './store.js';
export { urlWithoutPassword } from './postgres-connection.js';
export type { HostFactsRecord, RepositoryFactsRecord } from './host-facts.js';
export { HostEntity } from './entities/host.entity.js';
export { HostRoleEntity, ROLE_NAMES, ROLE_STATES, type RoleName, type RoleStateName } from './entities/host-role.entity.js';
export { HostCredentialEntity } from './entities/host-credential.entity.js';
export { JoinTokenEntity } from './entities/join-token.entity.js';
export { OperatorTokenEntity, OPERATOR_SCOPES, type OperatorScope } from './entities/operator-token.entity.js';
export {
  HostsRepository,
  type EnrolHostInput,
  type EnrolHostResult,
  type RoleConfig,
  type RoleStatusUpdate,
} from './repositories/hosts.repository.js';
export { JoinTokensRepository, type NewJoinToken } from './repositories/join-tokens.repository.js';
export { OperatorTokensRepository, type NewOperatorToken } from './repositories/operator-tokens.repository.js';
export { ImageEntity } from './entities/image.entity.js';
export { ImageHostStatusEntity, IMAGE_HOST_STATES, type ImageHostStateName } from './entities/image-host-status.entity.js';
export { CatalogRepository, type CatalogChanges, type HostImageStatus, type LiveImageOnHost, type NewImage } from './repositories/catalog.repository.js';
export { ClusterSecretEntity } from './entities/cluster-secret.entity.js';
export { ClusterSecretsRepository } from './repositories/cluster-secrets.repository.js';
