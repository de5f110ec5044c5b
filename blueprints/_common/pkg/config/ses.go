// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"fmt"
	"strings"
)

// validateSES checks the ses_* keys of [email] beyond the key table. They
// are checked whatever the backend, so a mistake shows before the day
// backend is switched to ses.
func (e EmailConfig) validateSES() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: email.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	// Half a key pair would silently fall back to the AWS chain and send
	// as someone else, or not at all.
	switch {
	case e.SESAccessKeyID != "" && e.SESSecretAccessKey == "":
		bad("ses_secret_access_key", "required with email.ses_access_key_id (put it in regstack.secrets.env)")
	case e.SESAccessKeyID == "" && e.SESSecretAccessKey != "":
		bad("ses_access_key_id", "required with email.ses_secret_access_key")
	}
	if e.SESAccessKeyID != "" && e.SESProfile != "" {
		bad("ses_profile", "set either ses_profile or ses_access_key_id, not both")
	}
	if hasControl(e.SESAccessKeyID) || strings.ContainsAny(e.SESAccessKeyID, " /") {
		bad("ses_access_key_id", "must be an access key ID such as AKIA...")
	}
	if hasControl(e.SESSecretAccessKey) {
		bad("ses_secret_access_key", "must not contain control characters")
	}
	if hasControl(e.SESProfile) || strings.ContainsAny(e.SESProfile, " []") {
		bad("ses_profile", "%q is not a profile name", e.SESProfile)
	}
	// Region names are lower-case letters, digits and dashes (eu-west-1);
	// anything else would end up in the endpoint's host name.
	if strings.Trim(e.SESRegion, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		bad("ses_region", "%q is not an AWS region such as eu-west-1", e.SESRegion)
	}
	if hasControl(e.SESConfigurationSet) || strings.ContainsAny(e.SESConfigurationSet, " /") {
		bad("ses_configuration_set", "%q is not a configuration set name", e.SESConfigurationSet)
	}
	if e.SESEndpoint != "" {
		if err := checkServiceURL(e.SESEndpoint); err != nil {
			bad("ses_endpoint", "%v", err)
		}
	}
	return errs
}
