//! DataLoaders of master data, built per request (see `crate::graphql::loaders`). Rows by id
//! (suppliers, products, tax rates, payment terms, categories) go through the kit's generic
//! loader (`crate::kit::read`), which applies the resources' read rules; contacts of a
//! customer from its grouped loader (`crate::kit::children`).

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entities::master::currency;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::error::AppError;
use crate::graphql::loaders::{LoadError, spawner};

/// The request's master-data loaders.
pub struct MasterLoaders {
    /// A currency by code (for minor digits).
    pub currency_by_code: DataLoader<CurrencyByCodeLoader, HashMapCache>,
}

impl MasterLoaders {
    /// Loaders on `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            currency_by_code: DataLoader::with_cache(
                CurrencyByCodeLoader(db),
                spawner(),
                HashMapCache::default(),
            ),
        }
    }
}

/// Currency code → currency.
pub struct CurrencyByCodeLoader(DatabaseConnection);

impl Loader<String> for CurrencyByCodeLoader {
    type Value = currency::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        Ok(currency::Entity::find()
            .filter(currency::Column::Code.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|c| (c.code.clone(), c))
            .collect())
    }
}
