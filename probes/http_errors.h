/// Go's net/http error texts (kubelet's probe messages) for what libcurl reports about one request.
#pragma once

#include <string>
#include <string_view>

#include "common/curl_loop.h"

namespace crilet::probes {

// Go's text for a timeout while reading the body (net/http client.go cancelTimerBody), kubelet-era Go.
extern const char* const kBodyTimeout;

// What Go's http.ReadResponse says of an answer whose first line is `line` and does not parse as a status
// line ("net/http: HTTP/1.x transport connection broken: malformed HTTP response \"...\""). libcurl hands such
// an answer over as an HTTP/0.9 body (CurlLoop::Request::allow_http09).
std::string MalformedAnswer(std::string_view first_line);

// How one request that failed in transport reads in a kubelet event: "Get \"URL\": " and Go's wording of the
// cause ("dial tcp 10.0.0.5:80: connect: connection refused", "context deadline exceeded (...)", "EOF").
// `url` is the request's URL as sent, `parts` the same parsed. For failures after the head (the answer has
// a status), see BodyError.
std::string TransportError(const CurlLoop::Response& r, const UrlParts& parts, const std::string& url);

// A failure after the status line and headers arrived: Go's client had returned the response, and the
// error is one of reading its body (kubelet's DoHTTPProbe returns it as an error). "" when r is no such
// failure.
std::string BodyError(const CurlLoop::Response& r);

}  // namespace crilet::probes
