"""Sign-in, sign-out, password reset, second factor, profile and user administration."""

import time

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup
from sqlalchemy import select

from vendorrisk.accounts import services, throttle, unlock
from vendorrisk.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    TotpDisableForm,
    TotpForm,
    UnlockForm,
    UserCreateForm,
    UserEditForm,
)
from vendorrisk.accounts.models import User
from vendorrisk.api import tokens
from vendorrisk.api.forms import TokenCreateForm, TokenRevokeForm
from vendorrisk.core.http import safe_next
from vendorrisk.extensions import db, limiter

bp = Blueprint("accounts", __name__)

MFA_PENDING_SECONDS = 300


def _login_failed() -> bool:
    return bool(g.get("login_failed"))


def _account_key() -> str:
    return throttle.account_key()


def _pending_account_key() -> str:
    pending = session.get("mfa_pending") or {}
    return f"login-code-account:{pending.get('user_id', '')}"


def _login_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


def _complete_login(user: User):
    session.clear()  # a new session at sign-in: nothing from before it carries over
    session["sid"] = services.start_session(user)
    session.permanent = True
    login_user(user)
    db.session.commit()
    response = redirect(safe_next(request.args.get("next")) or url_for("core.index"))
    return throttle.remember_browser(response, user.email)


# Failed sign-ins only; see vendorrisk.accounts.throttle for the three counters and why.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda r: _login_failed())
@limiter.shared_limit(
    throttle.account_limit,
    throttle.ACCOUNT_SCOPE,
    methods=["POST"],
    key_func=throttle.account_key,
    exempt_when=throttle.known_browser,
    deduct_when=lambda r: _login_failed(),
    on_breach=throttle.on_account_lock,
)
@limiter.limit(
    _login_limit,
    methods=["POST"],
    key_func=throttle.known_browser_key,
    exempt_when=throttle.unknown_browser,
    deduct_when=lambda r: _login_failed(),
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            g.login_failed = True
            db.session.commit()
            form.password.errors.append("The e-mail address or the password is not correct.")
        elif user.mfa_enabled:
            session.clear()
            session["mfa_pending"] = {"user_id": user.id, "at": int(time.time())}
            return redirect(url_for(".login_totp", next=request.args.get("next")))
        else:
            return _complete_login(user)
    return render_template("accounts/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda r: _login_failed())
# Per account too: whoever has the password could otherwise guess codes from many addresses.
@limiter.limit(
    _login_limit,
    methods=["POST"],
    key_func=_pending_account_key,
    deduct_when=lambda r: _login_failed(),
)
def login_totp():
    pending = session.get("mfa_pending") or {}
    if not pending or time.time() - pending.get("at", 0) > MFA_PENDING_SECONDS:
        flash("Sign in again: the sign-in took too long.", "warning")
        return redirect(url_for(".login"))
    user = db.session.get(User, pending["user_id"])
    if user is None or not user.active:
        return redirect(url_for(".login"))
    form = TotpForm()
    if form.validate_on_submit():
        if services.verify_totp(user, form.code.data):
            return _complete_login(user)
        g.login_failed = True
        db.session.commit()
        form.code.errors.append("That code is not correct or was already used.")
    return render_template("accounts/login_totp.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    services.end_session(session.get("sid"), current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for(".login"))


@bp.route("/login/unlock/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def unlock_browser(token: str):
    # Opening the link (a mail scanner may) changes nothing; the button does.
    row = unlock.valid_unlock_token(token)
    if row is None:
        return render_template("accounts/unlock_invalid.html"), 410
    form = UnlockForm()
    if form.validate_on_submit():
        user = unlock.use_unlock(row)
        if user is None:
            return render_template("accounts/unlock_invalid.html"), 410
        db.session.commit()
        flash("This browser can now sign in to your account. Sign in as usual.", "success")
        return throttle.remember_browser(redirect(url_for(".login")), user.email)
    return render_template("accounts/unlock_browser.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
# Per address too, so one mailbox cannot be flooded from many IPs.
@limiter.limit("3 per 15 minutes", methods=["POST"], key_func=_account_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            "If an active account uses that address, a reset link is on its way. "
            "It works once, for one hour.",
            "info",
        )
        return redirect(url_for(".login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    row = services.valid_reset_token(token)
    if row is None:
        return render_template("accounts/reset_invalid.html"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(row, form.password.data)
        except services.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Your password is changed. Sign in with the new one.", "success")
            return redirect(url_for(".login"))
    return render_template("accounts/reset_password.html", form=form)


def _profile_page(password_form=None, token_form=None, new_token: str | None = None):
    return render_template(
        "accounts/profile.html",
        password_form=password_form or ChangePasswordForm(),
        mfa_form=TotpDisableForm(),
        token_form=token_form or TokenCreateForm(formdata=None),
        revoke_form=TokenRevokeForm(),
        api_tokens=tokens.user_tokens(current_user),
        new_token=new_token,
    )


@bp.route("/profile")
def profile():
    return _profile_page()


@bp.route("/profile/tokens", methods=["POST"])
def token_create():
    form = TokenCreateForm()
    if form.validate_on_submit():
        try:
            _, secret = tokens.create_token(current_user, form.name.data, form.expires_days.data)
        except tokens.TokenError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            db.session.commit()
            # Shown on this page only, never stored or put in the session: a redirect would
            # have to carry it.
            return _profile_page(new_token=secret)
    return _profile_page(token_form=form), 400


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
def token_revoke(token_id: int):
    row = tokens.get_user_token(current_user, token_id)
    if row is None:
        abort(404)
    if TokenRevokeForm().validate_on_submit() and tokens.revoke_token(row, current_user):
        db.session.commit()
        flash(f"The token “{row.name}” is revoked.", "info")
    return redirect(url_for(".profile"))


@bp.route("/profile/password", methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                form.current_password.data,
                form.password.data,
                keep_sid=session.get("sid"),
            )
        except services.AccountError as exc:
            getattr(form, exc.field or "password").errors.append(str(exc))
        else:
            db.session.commit()
            flash("Your password is changed.", "success")
            return redirect(url_for(".profile"))
    return _profile_page(password_form=form), 400


@bp.route("/profile/mfa", methods=["GET", "POST"])
def totp_setup():
    if current_user.mfa_enabled:
        return redirect(url_for(".profile"))
    secret = session.get("totp_setup_secret") or services.new_totp_secret()
    session["totp_setup_secret"] = secret
    form = TotpForm()
    if form.validate_on_submit():
        try:
            services.enable_totp(current_user, secret, form.code.data)
        except services.AccountError as exc:
            form.code.errors.append(str(exc))
        else:
            session.pop("totp_setup_secret", None)
            db.session.commit()
            flash("Two-step sign-in is on.", "success")
            return redirect(url_for("core.index"))
    uri = services.provisioning_uri(current_user, secret)
    # segno's SVG holds the URI only as QR modules (paths), never as text.
    svg = segno.make(uri, micro=False).svg_inline(scale=4, title="Scan with your app")
    qr = Markup(svg)  # noqa: S704  # nosec B704  # SVG generated by segno from our own URI
    return render_template("accounts/totp_setup.html", form=form, secret=secret, qr=qr)


@bp.route("/profile/mfa/disable", methods=["POST"])
def totp_disable():
    form = TotpDisableForm()
    if form.validate_on_submit():
        try:
            services.disable_totp(current_user, form.password.data)
        except services.AccountError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("Two-step sign-in is off.", "info")
    return redirect(url_for(".profile"))


@bp.route("/admin/users")
def users():
    rows = db.session.scalars(select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("accounts/users.html", users=rows)


@bp.route("/admin/users/new", methods=["GET", "POST"])
def user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.email.data, form.name.data, form.role.data, form.password.data
            )
        except services.AccountError as exc:
            getattr(form, exc.field or "email").errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{user.name} can now sign in.", "success")
            return redirect(url_for(".users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    lock = throttle.lock_state(user.email)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_user(
                user,
                name=form.name.data,
                role=form.role.data,
                active=form.active.data,
                actor=current_user,
            )
        except services.AccountError as exc:
            getattr(form, exc.field or "role").errors.append(str(exc))
        else:
            db.session.commit()
            flash("The user is updated.", "success")
            return redirect(url_for(".users"))
    return render_template("accounts/user_form.html", form=form, user=user, lock=lock)
