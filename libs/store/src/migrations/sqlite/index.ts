import { AddClusterSecrets1795340000000 } from './1795340000000-AddClusterSecrets.js';
import { AddImageCatalog1795315525286 } from './1795315525286-AddImageCatalog.js';
import { AddRoleRequireMount1795318923925 } from './1795318923925-AddRoleRequireMount.js';
import { AddStoreProbe1795327000000 } from './1795327000000-AddStoreProbe.js';
import { InitialSchema1795313829693 } from './1795313829693-InitialSchema.js';
import { WidenStoreProbe1795330000000 } from './1795330000000-WidenStoreProbe.js';

/** Every sqlite migration, in order. Never edit a shipped migration; add a new one (and its twin in ../postgres). */
export const SQLITE_MIGRATIONS = [InitialSchema1795313829693, AddImageCatalog1795315525286, AddRoleRequireMount1795318923925, AddStoreProbe1795327000000, WidenStoreProbe1795330000000, AddClusterSecrets1795340000000];
