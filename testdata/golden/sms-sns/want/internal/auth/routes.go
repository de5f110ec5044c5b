// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import "net/http"

// routes is the route table of the JSON API, relative to the API prefix.
// It holds exactly the flows chosen when the code was generated; runtime
// switches in the configuration can turn some of them off again.
func (a *Auth) routes() []route {
	rs := []route{
		{http.MethodPost, "/register", a.handleRegister},
		{http.MethodPost, "/verify", a.handleVerify},
		{http.MethodPost, "/resend-verification", a.handleResendVerification},
		{http.MethodPost, "/login", a.handleLogin},
		// Answers even with enable_sms_2fa=false: users who enrolled keep
		// being asked for codes.
		{http.MethodPost, "/login/mfa-confirm", a.handleLoginMFAConfirm},
		{http.MethodPost, "/logout", a.authed(a.handleLogout)},
		{http.MethodGet, "/me", a.authed(a.handleMe)},
		{http.MethodPatch, "/me", a.authed(a.handleUpdateMe)},
		{http.MethodPost, "/change-password", a.authed(a.handleChangePassword)},
		{http.MethodPost, "/change-email", a.authed(a.handleChangeEmail)},
		{http.MethodPost, "/confirm-email-change", a.handleConfirmEmailChange},
		// enable_account_deletion=false keeps the route and answers 404
		// after authentication, so an anonymous caller cannot tell whether
		// deletion is offered.
		{http.MethodDelete, "/account", a.authed(a.handleDeleteAccount)},
		{http.MethodGet, "/health", a.handleHealth},
		{http.MethodGet, "/health/ready", a.handleReady},
		{http.MethodGet, "/openapi.json", a.handleOpenAPI},
	}
	if a.cfg.EnablePasswordReset {
		rs = append(rs,
			route{http.MethodPost, "/forgot-password", a.handleForgotPassword},
			route{http.MethodPost, "/reset-password", a.handleResetPassword},
		)
	}
	if a.cfg.EnableSMS2FA {
		rs = append(rs,
			route{http.MethodPost, "/phone/start", a.authed(a.handlePhoneStart)},
			route{http.MethodPost, "/phone/confirm", a.handlePhoneConfirm},
			route{http.MethodDelete, "/phone", a.authed(a.handlePhoneDisable)},
		)
	}
	if a.cfg.EnableAdminRouter {
		rs = append(rs, a.adminRoutes()...)
	}
	return rs
}
