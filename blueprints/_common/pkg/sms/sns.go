// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"regstack.example/app/internal/auth/config"
)

// SNS sends through Amazon SNS, publishing straight to the phone number
// (https://docs.aws.amazon.com/sns/latest/dg/sms_publish-to-phone.html).
// Credentials come from the standard AWS chain: AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, the shared files, or the role of the machine.
type SNS struct {
	client *sns.Client
	from   string
}

// NewSNS returns the SNS sender of cfg: the region is sms.sns_region, or
// the standard configuration's (AWS_REGION, the shared config file) when
// empty; sms.sns_endpoint, when set, replaces AWS's endpoint (a local
// emulator in tests).
func NewSNS(ctx context.Context, cfg config.SMSConfig) (*SNS, error) {
	timeout := time.Duration(cfg.TimeoutSeconds) * time.Second
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(timeout)),
		// One retry, as the Twilio sender: the user is waiting for the
		// code, and a failed attempt may still have sent it.
		awsconfig.WithRetryMaxAttempts(2),
	}
	if cfg.SNSRegion != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.SNSRegion))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("sms: loading the AWS configuration: %w", err)
	}
	// Without a region every send would fail; say so at start instead.
	if awsCfg.Region == "" {
		return nil, errors.New("sms: no AWS region for SNS: set sms.sns_region or AWS_REGION")
	}
	client := sns.NewFromConfig(awsCfg, func(o *sns.Options) {
		if cfg.SNSEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.SNSEndpoint)
		}
	})
	return &SNS{client: client, from: cfg.FromNumber}, nil
}

// Send publishes m as a transactional SMS (the type for one-time codes:
// delivery over price). The error wraps ErrInvalidMessage, ErrRejected or
// ErrUnavailable; a refusal or failure SNS explained is a *ProviderError.
func (s *SNS) Send(ctx context.Context, m Message) error {
	if err := m.check(); err != nil {
		return err
	}
	attrs := map[string]types.MessageAttributeValue{
		"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
	}
	switch {
	case s.from == "":
	case e164.MatchString(s.from):
		// A number is an origination number; as a sender ID SNS would
		// refuse it (sender IDs are 1 to 11 letters and digits).
		attrs["AWS.MM.SMS.OriginationNumber"] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s.from)}
	default:
		attrs["AWS.SNS.SMS.SenderID"] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s.from)}
	}
	_, err := s.client.Publish(ctx, &sns.PublishInput{
		PhoneNumber:       aws.String(m.To),
		Message:           aws.String(m.Body),
		MessageAttributes: attrs,
	})
	if err != nil {
		return snsError(err, m.Body)
	}
	return nil
}

// snsError turns a Publish error into the package's errors. The SDK's
// errors are matched by behaviour (ErrorCode, HTTPStatusCode) rather than
// by type, which keeps the smithy packages out of this file.
func snsError(err error, body string) error {
	var api interface {
		ErrorCode() string
		ErrorMessage() string
	}
	if !errors.As(err, &api) {
		// No answer from SNS: the network, a timeout, the credentials
		// chain.
		return fmt.Errorf("sms: sns: %w: %w", ErrUnavailable, err)
	}
	pe := &ProviderError{
		Provider: "sns",
		Code:     api.ErrorCode(),
		Message:  scrub(api.ErrorMessage(), body),
		Err:      ErrUnavailable,
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) {
		pe.HTTPStatus = status.HTTPStatusCode()
	}
	switch pe.Code {
	case "InvalidParameter", "ParameterValueInvalid", "OptedOut":
		// A number SNS cannot deliver to, or whose owner opted out.
		pe.Err = ErrRejected
	}
	return pe
}
