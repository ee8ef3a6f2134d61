//! DataLoaders of the identity module, built per request on the caller's tenant database, so
//! nothing is batched or cached across tenants or requests. A list of N users asks for their
//! roles in one statement, not N.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entities::identity::{role, role_grant, user_account};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::loaders::{LoadError, spawner};
use crate::kit::read::{ById, KitLoaders};
use crate::modules::identity::service::{roles, users};

/// The request's identity loaders.
pub struct IdentityLoaders {
    /// Roles held by a user.
    pub roles_by_user_id: DataLoader<RolesByUserIdLoader, HashMapCache>,
    /// Grants of a role.
    pub grants_by_role_id: DataLoader<GrantsByRoleIdLoader, HashMapCache>,
    /// A role by its id, unscoped (an API key's role): the kit's by-id loader.
    pub role_by_id: Arc<DataLoader<ById<role::Entity>, HashMapCache>>,
    /// A user by id, unscoped (owners, assignees): the kit's by-id loader.
    pub user_by_id: Arc<DataLoader<ById<user_account::Entity>, HashMapCache>>,
}

impl IdentityLoaders {
    /// Loaders on `db` (the caller's tenant database); the by-id ones are `kit`'s.
    pub fn new(db: DatabaseConnection, kit: &KitLoaders) -> Self {
        Self {
            roles_by_user_id: DataLoader::with_cache(
                RolesByUserIdLoader(db.clone()),
                spawner(),
                HashMapCache::default(),
            ),
            grants_by_role_id: DataLoader::with_cache(
                GrantsByRoleIdLoader(db.clone()),
                spawner(),
                HashMapCache::default(),
            ),
            role_by_id: kit.by_id::<role::Entity>(&db),
            user_by_id: kit.by_id::<user_account::Entity>(&db),
        }
    }
}

/// User id → the roles they hold.
pub struct RolesByUserIdLoader(DatabaseConnection);

impl Loader<Uuid> for RolesByUserIdLoader {
    type Value = Vec<role::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let pairs = users::role_ids_of(&self.0, keys).await?;
        let role_ids: Vec<Uuid> = pairs.iter().map(|(_, r)| *r).collect();
        let roles: HashMap<Uuid, role::Model> = role::Entity::find()
            .filter(role::Column::Id.is_in(role_ids))
            .all(&self.0)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mut out: HashMap<Uuid, Vec<role::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (user, role_id) in pairs {
            if let (Some(list), Some(role)) = (out.get_mut(&user), roles.get(&role_id)) {
                list.push(role.clone());
            }
        }
        for list in out.values_mut() {
            list.sort_by(|a, b| a.name.cmp(&b.name));
        }
        Ok(out)
    }
}

/// Role id → its grants.
pub struct GrantsByRoleIdLoader(DatabaseConnection);

impl Loader<Uuid> for GrantsByRoleIdLoader {
    type Value = Vec<role_grant::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut out: HashMap<Uuid, Vec<role_grant::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for grant in roles::grants_of(&self.0, keys).await? {
            if let Some(list) = out.get_mut(&grant.role_id) {
                list.push(grant);
            }
        }
        for list in out.values_mut() {
            list.sort_by(|a, b| a.permission.cmp(&b.permission));
        }
        Ok(out)
    }
}
