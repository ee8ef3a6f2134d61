//! DataLoaders of master data, built per request (see `crate::graphql::loaders`).

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entities::master::{contact, currency, payment_term, product_category, tax_rate};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::loaders::{LoadError, spawner};

/// The request's master-data loaders.
pub struct MasterLoaders {
    /// The contacts of a customer.
    pub contacts_by_customer_id: DataLoader<ContactsByCustomerIdLoader, HashMapCache>,
    /// A currency by code (for minor digits).
    pub currency_by_code: DataLoader<CurrencyByCodeLoader, HashMapCache>,
    /// A tax rate by id.
    pub tax_rate_by_id: DataLoader<TaxRateByIdLoader, HashMapCache>,
    /// Payment terms by id.
    pub payment_term_by_id: DataLoader<ById<payment_term::Entity>, HashMapCache>,
    /// A product category by id.
    pub category_by_id: DataLoader<ById<product_category::Entity>, HashMapCache>,
}

impl MasterLoaders {
    /// Loaders on `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            contacts_by_customer_id: DataLoader::with_cache(
                ContactsByCustomerIdLoader(db.clone()),
                spawner(),
                HashMapCache::default(),
            ),
            currency_by_code: DataLoader::with_cache(
                CurrencyByCodeLoader(db.clone()),
                spawner(),
                HashMapCache::default(),
            ),
            tax_rate_by_id: DataLoader::with_cache(
                TaxRateByIdLoader(db.clone()),
                spawner(),
                HashMapCache::default(),
            ),
            payment_term_by_id: DataLoader::with_cache(
                ById::new(db.clone(), payment_term::Column::Id),
                spawner(),
                HashMapCache::default(),
            ),
            category_by_id: DataLoader::with_cache(
                ById::new(db, product_category::Column::Id),
                spawner(),
                HashMapCache::default(),
            ),
        }
    }
}

/// Customer id → its contacts, by name.
pub struct ContactsByCustomerIdLoader(DatabaseConnection);

impl Loader<Uuid> for ContactsByCustomerIdLoader {
    type Value = Vec<contact::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut out: HashMap<Uuid, Vec<contact::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        let rows = contact::Entity::find()
            .filter(contact::Column::CustomerId.is_in(keys.iter().copied()))
            .order_by_asc(contact::Column::Name)
            .all(&self.0)
            .await
            .map_err(AppError::from)?;
        for row in rows {
            if let Some(list) = row.customer_id.and_then(|id| out.get_mut(&id)) {
                list.push(row);
            }
        }
        Ok(out)
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

/// Tax rate id → tax rate.
pub struct TaxRateByIdLoader(DatabaseConnection);

impl Loader<Uuid> for TaxRateByIdLoader {
    type Value = tax_rate::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        Ok(tax_rate::Entity::find()
            .filter(tax_rate::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|t| (t.id, t))
            .collect())
    }
}

/// Id → row of a reference table keyed on a UUID column.
pub struct ById<E: sea_orm::EntityTrait> {
    db: DatabaseConnection,
    id: E::Column,
}

impl<E: sea_orm::EntityTrait> ById<E> {
    /// A loader of `E` keyed on `id`.
    pub fn new(db: DatabaseConnection, id: E::Column) -> Self {
        Self { db, id }
    }
}

impl<E> Loader<Uuid> for ById<E>
where
    E: sea_orm::EntityTrait,
    E::Model: Clone + Send + Sync + HasId,
    E::Column: Send + Sync,
{
    type Value = E::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        Ok(E::find()
            .filter(self.id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|row| (row.id(), row))
            .collect())
    }
}

/// Rows with a UUID id.
pub trait HasId {
    /// The id.
    fn id(&self) -> Uuid;
}

impl HasId for payment_term::Model {
    fn id(&self) -> Uuid {
        self.id
    }
}

impl HasId for product_category::Model {
    fn id(&self) -> Uuid {
        self.id
    }
}
