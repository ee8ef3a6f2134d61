//! One declaration per entity ([`Resource`]): who reads and writes it, whose rows scope `OWN`
//! reaches, which fields need their own permission and which are never audited. Every read
//! path (lists, by id, counts, relation fields, loaders, the audit log) asks the same
//! functions here, so no path can show a row or a field another path hides.

use sea_orm::sea_query::IntoCondition;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, IdenStatic, Iterable, ModelTrait, PrimaryKeyToColumn,
    QueryFilter, Select, Value,
};
use uuid::Uuid;

use crate::authz::{Access, Scope};
use crate::error::AppError;

/// What the kit knows about one entity. Column names are the entity's (snake case).
#[derive(Debug)]
pub struct ResourceInfo {
    /// Name in audit entries and errors, e.g. `customer`.
    pub name: &'static str,
    /// Reads rows (list, by id, count, relation fields).
    pub read: &'static str,
    /// Creates, changes and archives rows.
    pub write: &'static str,
    /// Columns naming users whose rows scope `OWN` reaches (owner, assignee). None: a grant
    /// with scope `OWN` on `read` or `write` is refused.
    pub owners: &'static [&'static str],
    /// Fields that need a permission of their own to read, everywhere they show (the type's
    /// field and the audit log).
    pub sensitive: &'static [(&'static str, &'static str)],
    /// Fields never written to the audit log (only that they changed).
    pub secret: &'static [&'static str],
    /// Columns naming a row of another table, each kept by the foreign key
    /// `fk_<table>_<column>`: every key of the entity's table is declared here (the modules'
    /// tests compare them with the migrated schema), so a write the key refuses answers
    /// `VALIDATION` on the input field (`kit::write`).
    pub references: &'static [Reference],
    /// Columns with a unique index of their own and what errors call them (`("sku", "SKU")`):
    /// a write another row's value refuses answers `CONFLICT` naming the value (the modules'
    /// tests compare them with the migrated schema), without a lookup beforehand.
    pub unique: &'static [(&'static str, &'static str)],
    /// The column naming a row to people (`title`), when a user made owner or assignee of a
    /// row by someone else gets an `ASSIGNED` notification (`modules::notifications`).
    pub assign_notice: Option<&'static str>,
}

impl ResourceInfo {
    /// A resource called `name`, read with `read` and kept with `write`, without owners,
    /// sensitive or secret fields, references or unique columns: the rest is given with struct update syntax.
    pub const fn new(name: &'static str, read: &'static str, write: &'static str) -> Self {
        Self {
            name,
            read,
            write,
            owners: &[],
            sensitive: &[],
            secret: &[],
            references: &[],
            unique: &[],
            assign_notice: None,
        }
    }
}

/// A reference column of a resource and the row it names.
#[derive(Debug)]
pub struct Reference {
    /// The column (snake case); the input field is `input.` and its camel case.
    pub column: &'static str,
    /// The table it refers to.
    pub parent: &'static str,
    /// The referred column of `parent`.
    pub key: &'static str,
    /// What it names, in the error: "no such {what}".
    pub what: &'static str,
    /// The input field giving it, when it is not `input.` and the column in camel case.
    pub input: Option<&'static str>,
}

/// A [`Reference`] from `column` to `parent(key)`, called `what` in errors.
pub const fn refers(
    column: &'static str,
    parent: &'static str,
    key: &'static str,
    what: &'static str,
) -> Reference {
    Reference {
        column,
        parent,
        key,
        what,
        input: None,
    }
}

impl Reference {
    /// The same reference, given by the input field `field` (e.g. `input.amount.currency`).
    pub const fn at(self, field: &'static str) -> Self {
        Self {
            input: Some(field),
            ..self
        }
    }

    /// The input field the column is given by, e.g. `input.taxRateId`.
    pub fn field(&self) -> String {
        match self.input {
            Some(field) => field.to_owned(),
            None => format!("input.{}", camel_case(self.column)),
        }
    }
}

impl ResourceInfo {
    /// The permission reading `field` (snake or camel case) needs beyond `read`, if any.
    pub fn sensitive_permission(&self, field: &str) -> Option<&'static str> {
        self.sensitive
            .iter()
            .find(|(name, _)| *name == field || camel_case(name) == field)
            .map(|(_, permission)| *permission)
    }
}

/// An entity declared to the kit.
pub trait Resource: EntityTrait {
    /// The declaration.
    const INFO: ResourceInfo;
}

/// `snake_case` as `camelCase` (audit keys and GraphQL field names).
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The column of `R` named `name`.
///
/// # Panics
/// When `R` has no such column: a wrong [`ResourceInfo`], caught by the kit's tests of every
/// registered resource.
pub fn column<R: Resource>(name: &str) -> R::Column {
    R::Column::iter()
        .find(|c| c.as_str() == name)
        .unwrap_or_else(|| panic!("{} has no column {name}", R::INFO.name))
}

/// The primary-key column of `R` (the kit's resources have a single UUID key).
pub fn id_column<R: Resource>() -> R::Column {
    R::PrimaryKey::iter()
        .next()
        .map(PrimaryKeyToColumn::into_column)
        .unwrap_or_else(|| panic!("{} has no primary key", R::INFO.name))
}

/// A UUID held in `value`, if any.
pub fn uuid_value(value: Value) -> Option<Uuid> {
    match value {
        Value::Uuid(id) => id,
        _ => None,
    }
}

/// The id of `row`.
pub fn id_of<R: Resource>(row: &R::Model) -> Uuid {
    uuid_value(row.get(id_column::<R>())).unwrap_or_default()
}

/// The users `row` belongs to by the resource's owner columns.
pub fn owners_of<R: Resource>(row: &R::Model) -> Vec<Uuid> {
    R::INFO
        .owners
        .iter()
        .filter_map(|name| uuid_value(row.get(column::<R>(name))))
        .collect()
}

/// The row's `version`, if `R` has one.
pub fn version_of<R: Resource>(row: &R::Model) -> Option<i32> {
    let version = R::Column::iter().find(|c| c.as_str() == "version")?;
    match row.get(version) {
        Value::Int(v) => v,
        _ => None,
    }
}

/// The domain event of `action` on `after` (changed from `before`, if given): its version and
/// the owners before and after, so a subscriber who just lost the row hears of it too.
pub fn event_of<R: Resource>(
    action: &str,
    before: Option<&R::Model>,
    after: Option<&R::Model>,
) -> crate::kit::events::DomainEvent {
    let id = after.or(before).map(id_of::<R>).unwrap_or_default();
    crate::kit::events::DomainEvent::new(R::INFO.name, id, action)
        .version(after.and_then(version_of::<R>))
        .audience(before.into_iter().chain(after).flat_map(owners_of::<R>))
}

/// Whether a subscriber with `access` hears of a change of an `R` row scoped to `audience`
/// (the event's owners): the rule of [`reaches`] for `read`, on the event instead of the row.
pub fn hears<R: Resource>(access: &Access, audience: &[Uuid]) -> bool {
    match access.scope(R::INFO.read) {
        Some(Scope::All) => true,
        Some(Scope::Own) if R::INFO.owners.is_empty() => true,
        Some(Scope::Own) => access.user_id().is_some_and(|me| audience.contains(&me)),
        None => false,
    }
}

/// The rows of `R` that `permission` (held by `access`) reaches: all of them, or with scope
/// `OWN` those where an owner column names the caller (an API key owns nothing). A resource
/// without owner columns (pipeline stages, read with the opportunities' permission) has no
/// owned rows: any scope reaches all of them. `FORBIDDEN` without the permission.
pub fn scope_condition<R: Resource>(
    access: &Access,
    permission: &str,
) -> Result<Condition, AppError> {
    Ok(match access.require(permission)? {
        Scope::Own if !R::INFO.owners.is_empty() => {
            let me = access.user_id().unwrap_or(Uuid::nil());
            R::INFO.owners.iter().fold(Condition::any(), |c, name| {
                c.add(column::<R>(name).eq(me).into_condition())
            })
        }
        _ => Condition::all(),
    })
}

/// Whether scope `OWN` means anything for `permission`: some resource with owner columns is
/// read or written with it (or one of its sensitive fields is read with it). Granting `OWN`
/// on any other permission is refused: it would silently mean `ALL`.
pub fn own_scope_applies(
    resources: impl IntoIterator<Item = &'static ResourceInfo>,
    permission: &str,
) -> bool {
    resources.into_iter().any(|r| {
        !r.owners.is_empty()
            && (r.read == permission
                || r.write == permission
                || r.sensitive.iter().any(|(_, p)| *p == permission))
    })
}

/// The rows of `R` `access` may read: the one query every read path starts from.
pub fn visible<R: Resource>(access: &Access) -> Result<Select<R>, AppError> {
    Ok(R::find().filter(scope_condition::<R>(access, R::INFO.read)?))
}

/// Whether `permission` of `access` reaches `row` (see [`scope_condition`]).
pub fn reaches<R: Resource>(access: &Access, permission: &str, row: &R::Model) -> bool {
    match access.scope(permission) {
        Some(Scope::All) => true,
        Some(Scope::Own) if R::INFO.owners.is_empty() => true,
        Some(Scope::Own) => access
            .user_id()
            .is_some_and(|me| owners_of::<R>(row).contains(&me)),
        None => false,
    }
}

/// Whether `access` may read `row`: the same rule as [`visible`], for a row already loaded.
pub fn can_read<R: Resource>(access: &Access, row: &R::Model) -> bool {
    reaches::<R>(access, R::INFO.read, row)
}

/// Whether `access` may change `row`: it must both see it and hold `write` reaching it.
pub fn can_write<R: Resource>(access: &Access, row: &R::Model) -> bool {
    can_read::<R>(access, row) && reaches::<R>(access, R::INFO.write, row)
}

/// The owner a new row gets: the one asked for, or the caller. With scope `OWN` on `write`
/// nobody creates rows for someone else.
pub fn new_owner<R: Resource>(
    access: &Access,
    asked: Option<Uuid>,
) -> Result<Option<Uuid>, AppError> {
    let me = access.user_id();
    if access.require(R::INFO.write)? == Scope::Own && asked.is_some() && asked != me {
        return Err(AppError::Forbidden {
            permission: R::INFO.write.to_owned(),
        });
    }
    Ok(asked.or(me))
}

/// Checks `R`'s declaration against its entity: every named column exists (references
/// included), the key is a single column. Each module's tests run it for each of its resources.
pub fn check_declaration<R: Resource>() -> Result<(), String> {
    let names: Vec<&str> = R::Column::iter().map(|c| c.as_str()).collect();
    let info = &R::INFO;
    for name in info
        .owners
        .iter()
        .chain(info.secret)
        .chain(info.sensitive.iter().map(|(n, _)| n))
        .chain(info.references.iter().map(|r| &r.column))
    {
        if !names.contains(name) {
            return Err(format!("{} has no column {name}", info.name));
        }
    }
    if let Some(twice) = info
        .references
        .iter()
        .enumerate()
        .find(|(i, r)| info.references[..*i].iter().any(|o| o.column == r.column))
    {
        return Err(format!("{} declares {} twice", info.name, twice.1.column));
    }
    if R::PrimaryKey::iter().count() != 1 {
        return Err(format!("{} needs a single-column key", info.name));
    }
    Ok(())
}

/// Checks `R`'s declared references against the foreign keys of its table in the schema
/// (`keys`: column, parent table, parent column): each key declared, nothing declared that is
/// no key.
pub fn check_keys<R: Resource>(keys: &[(String, String, String)]) -> Result<(), String> {
    let info = &R::INFO;
    for (column, parent, key) in keys {
        let declared = info.references.iter().find(|r| r.column == column);
        match declared {
            Some(r) if r.parent == parent && r.key == key => {}
            Some(r) => {
                return Err(format!(
                    "{}.{column} refers to {parent}({key}), declared {}({})",
                    info.name, r.parent, r.key
                ));
            }
            None => {
                return Err(format!(
                    "{}.{column} is a foreign key to {parent}({key}) but not declared in its references",
                    info.name
                ));
            }
        }
    }
    match info
        .references
        .iter()
        .find(|r| !keys.iter().any(|(column, _, _)| column == r.column))
    {
        Some(r) => Err(format!(
            "{} declares {} a reference, but the schema has no such key",
            info.name, r.column
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn snake_to_camel() {
        assert_eq!(camel_case("cost_price_micros"), "costPriceMicros");
        assert_eq!(camel_case("name"), "name");
    }
}
