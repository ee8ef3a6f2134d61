//! The `erp` command line, run as a real process.

use crate::helpers::TestApp;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn tenant_create_then_list_then_create_again() {
    let app = TestApp::spawn().await;
    let pw = [("ERP_ADMIN_PASSWORD", "a long enough password")];
    let args = [
        "tenant",
        "create",
        "--slug",
        "acme-ltd",
        "--name",
        "Acme Ltd",
        "--admin-email",
        "owner@acme.test",
    ];
    let out = app.erp(&args, &pw);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("tenant acme-ltd created"));

    let out = app.erp(&["tenant", "list"], &[]);
    let listing = text(&out.stdout);
    assert!(
        listing.contains("acme-ltd")
            && listing.contains("active")
            && listing.contains("1 tenant(s)"),
        "{listing}"
    );

    let out = app.erp(&args, &pw);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );

    // The admin can sign in with the password from the environment.
    let t = crate::helpers::TestTenant {
        id: uuid::Uuid::nil(),
        slug: "acme-ltd".into(),
        email: "owner@acme.test".into(),
        password: "a long enough password".into(),
    };
    app.login(&t).await;
}

#[tokio::test]
async fn tenant_create_refuses_bad_slugs_and_a_missing_password() {
    let app = TestApp::spawn().await;
    let out = app.erp(
        &[
            "tenant",
            "create",
            "--slug",
            "Bad_Slug",
            "--name",
            "X",
            "--admin-email",
            "a@b.test",
        ],
        &[("ERP_ADMIN_PASSWORD", "a long enough password")],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("slug `Bad_Slug`"),
        "{}",
        text(&out.stderr)
    );

    let out = app.erp(
        &[
            "tenant",
            "create",
            "--slug",
            "acme",
            "--name",
            "X",
            "--admin-email",
            "a@b.test",
        ],
        &[],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("ERP_ADMIN_PASSWORD"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn bad_configuration_is_reported_by_variable_with_exit_code_2() {
    let app = TestApp::spawn().await;
    let out = app.erp(
        &["tenant", "list"],
        &[
            ("ERP_BIND", "not-an-address"),
            ("ERP_TENANT_POOL_CAP", "-1"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("ERP_BIND") && err.contains("ERP_TENANT_POOL_CAP"),
        "{err}"
    );

    let out = app.erp(&["serve"], &[("ERP_ENV", "production")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("ERP_JWT_PRIVATE_KEY_FILE"),
        "{}",
        text(&out.stderr)
    );
}
