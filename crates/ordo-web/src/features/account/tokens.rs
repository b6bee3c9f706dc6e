//! Personal API tokens: made (the secret shown once), listed, revoked.

use crate::error::WebError;
use crate::extract::Query;
use crate::extract::path::NameAt;
use crate::extract::{At, Form, Json, Me};
use crate::openapi::Doc;
use crate::pages::{Errors, Page, TokenRow, TokensTpl, ok, render};
use crate::respond::{NoticeQuery, notice};
use crate::routes::{Decl, Guard, delete, get, post};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::{AppError, accounts};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/settings/tokens", Guard::User, page),
        post("/t/{slug}/settings/tokens", Guard::User, create_form),
        post("/t/{slug}/settings/tokens/{id}/revoke", Guard::User, revoke_form),
        get("/t/{slug}/api/v1/tokens", Guard::User, api_list)
            .doc(Doc::new("My personal API tokens (never their secrets)").ok::<TokensOut>(200)),
        post("/t/{slug}/api/v1/tokens", Guard::User, api_create).doc(
            Doc::new("Make a personal API token: its secret is in this answer only")
                .body::<TokenIn>()
                .ok::<TokenCreated>(201),
        ),
        delete("/t/{slug}/api/v1/tokens/{id}", Guard::User, api_revoke).doc(Doc::new("Revoke one of my tokens").done()),
    ]
}

/// A token's name.
#[derive(Deserialize, ToSchema)]
pub struct TokenIn {
    #[schema(schema_with = crate::openapi::schema::title)]
    pub name: String,
}

#[tracing::instrument(skip_all)]
async fn view(
    me: &Me,
    new_token: Option<String>,
    errors: Errors,
    notice: Option<String>,
) -> Result<TokensTpl, WebError> {
    let tr = me.ctx.tr();
    let rows = accounts::list_api_tokens(&me.app, me.tenant(), &me.user)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created: t.created_at.human_utc(),
            last_used: t.last_used_at.map(|t| t.human_utc()).unwrap_or_else(|| tr.t("tokens.never").to_owned()),
        })
        .collect();
    Ok(TokensTpl { rows, new_token, errors, notice, p: Page::new(&me.ctx, "settings") })
}

#[tracing::instrument(skip_all)]
async fn page(me: Me, Query(q): Query<NoticeQuery>) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    Ok(ok(&view(&me, None, Errors::default(), notice(&tr, q.notice.as_deref())).await?))
}

/// Make a token and show it once, on this response only (never in a URL).
#[tracing::instrument(skip_all)]
async fn create_form(me: Me, Form(f, _): Form<TokenIn>) -> Result<Response, WebError> {
    match accounts::create_api_token(&me.app, me.tenant(), &me.user, &f.name).await {
        Ok((_, secret)) => Ok(ok(&view(&me, Some(secret), Errors::default(), None).await?)),
        Err(AppError::Invalid(i)) => {
            let tr = me.ctx.tr();
            let errors = Errors::one(i.field, tr.t(&format!("error.{}", i.code)).to_owned());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view(&me, None, errors, None).await?))
        }
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip_all)]
async fn revoke_form(me: Me, At(p): At<NameAt>) -> Result<Response, WebError> {
    accounts::revoke_api_token(&me.app, me.tenant(), &me.user, &p.id).await?;
    Ok(Redirect::to(&me.href("settings/tokens?notice=token_revoked")).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub id: String,
    pub name: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokensOut {
    pub tokens: Vec<TokenOut>,
}

#[tracing::instrument(skip_all)]
async fn api_list(me: Me) -> Result<Response, WebError> {
    let tokens = accounts::list_api_tokens(&me.app, me.tenant(), &me.user)
        .await?
        .into_iter()
        .map(|t| TokenOut {
            id: t.id,
            name: t.name,
            created_at: t.created_at.rfc3339(),
            last_used_at: t.last_used_at.map(|t| t.rfc3339()),
        })
        .collect();
    Ok(axum::Json(TokensOut { tokens }).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    pub id: String,
    /// `ordo_…`: send it as `Authorization: Bearer …`. Shown this once.
    pub secret: String,
}

#[tracing::instrument(skip_all)]
async fn api_create(me: Me, Json(b): Json<TokenIn>) -> Result<Response, WebError> {
    let (id, secret) = accounts::create_api_token(&me.app, me.tenant(), &me.user, &b.name).await?;
    Ok((StatusCode::CREATED, axum::Json(TokenCreated { id, secret })).into_response())
}

#[tracing::instrument(skip_all)]
async fn api_revoke(me: Me, At(p): At<NameAt>) -> Result<Response, WebError> {
    accounts::revoke_api_token(&me.app, me.tenant(), &me.user, &p.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
