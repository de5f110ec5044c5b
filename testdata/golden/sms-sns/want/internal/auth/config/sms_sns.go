// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import "fmt"

// validateSNS checks the sns_* keys of [sms] beyond the key table.
func (s SMSConfig) validateSNS() []error {
	if s.SNSEndpoint == "" {
		return nil // AWS's own
	}
	// The endpoint receives signed requests carrying the codes: https, or
	// http only to a local emulator.
	if err := checkServiceURL(s.SNSEndpoint); err != nil {
		return []error{fmt.Errorf("config: sms.sns_endpoint: %v", err)}
	}
	return nil
}
