//! What the shared operations need of a database: run a statement with parameters and get
//! its rows. Both backends implement [`Conn`] (SQLite on its blocking connection,
//! PostgreSQL on a pooled client or a transaction), so an operation and its statements are
//! written once, in [`super::accounts`] and [`super::records`], and each backend keeps
//! only its driver and the statements that must differ.
//!
//! A statement is [`Sql`]: one text for both dialects where they agree, with PostgreSQL's
//! `$1`, `$2`… placeholders (SQLite is given `?1`, `?2`…: it would number `$2` first if it
//! came first), or one text per dialect, with the reason beside it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::StoreError;

/// A statement in each dialect.
#[derive(Debug)]
pub(crate) struct Sql {
    sqlite: &'static str,
    postgres: &'static str,
}

impl Sql {
    /// The same text in both dialects.
    pub(crate) const fn both(text: &'static str) -> Sql {
        Sql {
            sqlite: text,
            postgres: text,
        }
    }

    /// A text per dialect: say why they differ where this is called.
    pub(crate) const fn each(sqlite: &'static str, postgres: &'static str) -> Sql {
        Sql { sqlite, postgres }
    }

    /// SQLite's text, `$N` placeholders written `?N`.
    pub(crate) fn sqlite(&self) -> String {
        let mut text = String::with_capacity(self.sqlite.len());
        let mut chars = self.sqlite.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                text.push('?');
            } else {
                text.push(c);
            }
        }
        text
    }

    pub(crate) fn postgres(&self) -> &'static str {
        self.postgres
    }
}

/// A value bound to a statement. Nulls are typed: PostgreSQL checks a parameter's type
/// even when it is null.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Param {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(bool),
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(Some(v))
    }
}

impl From<Option<i64>> for Param {
    fn from(v: Option<i64>) -> Self {
        Param::Int(v)
    }
}

impl From<u32> for Param {
    fn from(v: u32) -> Self {
        Param::Int(Some(i64::from(v)))
    }
}

impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(Some(v.to_owned()))
    }
}

impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(Some(v))
    }
}

impl From<Option<&str>> for Param {
    fn from(v: Option<&str>) -> Self {
        Param::Text(v.map(str::to_owned))
    }
}

impl From<bool> for Param {
    fn from(v: bool) -> Self {
        Param::Bool(v)
    }
}

/// `params![a, b]`: the parameters of a statement, in order.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::store::sql::Param::from($value)),*]
    };
}
pub(crate) use params;

/// A value read from a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
}

/// One row of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row(pub Vec<Cell>);

impl Row {
    fn cell(&self, i: usize) -> Result<&Cell, StoreError> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::OutOfRange(format!("no column {i}")))
    }

    fn wrong(&self, i: usize, wanted: &str) -> StoreError {
        StoreError::OutOfRange(format!("column {i} is not {wanted}: {:?}", self.0.get(i)))
    }

    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Int(v) => Ok(Some(*v)),
            _ => Err(self.wrong(i, "an integer")),
        }
    }

    pub(crate) fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_int(i)?.ok_or_else(|| self.wrong(i, "an integer"))
    }

    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Text(v) => Ok(Some(v.clone())),
            _ => Err(self.wrong(i, "text")),
        }
    }

    /// Text borrowed from the row.
    pub(crate) fn str(&self, i: usize) -> Result<&str, StoreError> {
        match self.cell(i)? {
            Cell::Text(v) => Ok(v),
            _ => Err(self.wrong(i, "text")),
        }
    }

    pub(crate) fn text(&self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?.ok_or_else(|| self.wrong(i, "text"))
    }

    /// Text moved out of the row, for the large ones (record bodies).
    pub(crate) fn take_text(&mut self, i: usize) -> Result<String, StoreError> {
        match self.0.get_mut(i) {
            Some(Cell::Text(v)) => Ok(std::mem::take(v)),
            _ => Err(self.wrong(i, "text")),
        }
    }

    /// A boolean, which SQLite stores as 0 or 1.
    pub(crate) fn bool(&self, i: usize) -> Result<bool, StoreError> {
        match self.cell(i)? {
            Cell::Bool(v) => Ok(*v),
            Cell::Int(v) => Ok(*v != 0),
            _ => Err(self.wrong(i, "a boolean")),
        }
    }
}

/// A connection, or a transaction, of either backend.
pub(crate) trait Conn: Send {
    /// Runs a statement and returns its rows.
    fn query(
        &mut self,
        sql: &'static Sql,
        params: Vec<Param>,
    ) -> impl Future<Output = Result<Vec<Row>, StoreError>> + Send;

    /// Runs a statement and returns how many rows it changed.
    fn execute(
        &mut self,
        sql: &'static Sql,
        params: Vec<Param>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The first row, if any.
    fn optional(
        &mut self,
        sql: &'static Sql,
        params: Vec<Param>,
    ) -> impl Future<Output = Result<Option<Row>, StoreError>> + Send {
        async move { Ok(self.query(sql, params).await?.into_iter().next()) }
    }

    /// The first row, which must be there.
    fn one(
        &mut self,
        sql: &'static Sql,
        params: Vec<Param>,
    ) -> impl Future<Output = Result<Row, StoreError>> + Send {
        async move {
            self.optional(sql, params)
                .await?
                .ok_or_else(|| StoreError::OutOfRange("a statement returned no row".into()))
        }
    }
}

/// An operation on a connection, as the backends run it.
pub(crate) type Op<'c, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'c>>;

/// The result of an operation that never waits: SQLite's connection is blocking, so an
/// operation on it is done when first polled, on the thread that holds the connection.
pub(crate) fn at_once<T>(op: Op<'_, T>) -> Result<T, StoreError> {
    let mut op = op;
    match op.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(StoreError::Task(
            "an operation on SQLite waited, which a blocking connection never does".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_is_given_numbered_question_marks() {
        let sql = Sql::both("UPDATE d SET a = $2 WHERE id = $1 AND b = '$x' AND c = $10");
        assert_eq!(
            sql.sqlite(),
            "UPDATE d SET a = ?2 WHERE id = ?1 AND b = '$x' AND c = ?10"
        );
        assert_eq!(
            sql.postgres(),
            "UPDATE d SET a = $2 WHERE id = $1 AND b = '$x' AND c = $10"
        );
    }

    #[test]
    fn cells_are_read_as_their_type_and_sqlite_booleans_are_integers() {
        let row = Row(vec![
            Cell::Int(7),
            Cell::Null,
            Cell::Text("a".into()),
            Cell::Int(1),
        ]);
        assert_eq!(row.int(0).unwrap(), 7);
        assert_eq!(row.opt_int(1).unwrap(), None);
        assert!(row.int(1).is_err());
        assert_eq!(row.text(2).unwrap(), "a");
        assert!(row.text(0).is_err());
        assert!(row.bool(3).unwrap());
        assert!(row.int(9).is_err());
    }
}
