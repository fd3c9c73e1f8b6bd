using System.Net;
using System.Net.Http.Headers;
using Alerts.Core.Tickers;
using Alerts.Host.Options;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Polling;

/// <summary>The result of one conditional GET.</summary>
internal abstract record FetchResult
{
    private FetchResult()
    {
    }

    public sealed record Content(string Body, string? ETag, string? LastModified) : FetchResult;

    /// <summary>304: the page is unchanged and costs no parsing.</summary>
    public sealed record NotModified : FetchResult;

    public sealed record Failed(string Reason) : FetchResult;
}

/// <summary>
/// Fetches a source with conditional GET through the resilient <c>ticker</c> HTTP client, following at most
/// <see cref="MaxRedirects"/> redirects itself (http and https only) within one timeout for the whole request.
/// </summary>
internal sealed class TickerFetcher(IHttpClientFactory clients, IOptions<PollingOptions> options, TimeProvider time)
{
    public const string ClientName = "ticker";

    /// <summary>SPEC §2: at most 5 redirects. The handler's own redirects are off (its default is 50, to any scheme).</summary>
    public const int MaxRedirects = 5;

    public async Task<FetchResult> FetchAsync(SourceDefinition source, string? etag, string? lastModified, CancellationToken cancellationToken)
    {
        var timeout = options.Value.Timeout;

        // The resilience handler's timeouts end when the headers arrive; this one also covers the body, so a
        // ticker that drips one byte a second cannot hold its poll (and a Hangfire worker) for ever.
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var client = clients.CreateClient(ClientName);
        var url = new Uri(source.Url);
        try
        {
            for (var hop = 0; ; hop++)
            {
                using var request = NewRequest(url, etag, lastModified);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                if (IsRedirect(response.StatusCode))
                {
                    var next = RedirectTarget(url, response, hop);
                    if (next.Refused is not null)
                    {
                        return new FetchResult.Failed(next.Refused);
                    }

                    url = next.Target!;
                    continue;
                }

                return await ReadAsync(response, linked.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FetchResult.Failed($"timed out after {timeout} (whole request, body included)");
        }
        catch (Polly.Timeout.TimeoutRejectedException)
        {
            return new FetchResult.Failed($"timed out after {timeout}");
        }
        catch (HttpRequestException e)
        {
            return new FetchResult.Failed(e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
        }
        catch (IOException e)
        {
            // A body cut off mid-way (connection closed before Content-Length bytes) lands here.
            return new FetchResult.Failed($"incomplete response: {e.Message}");
        }
    }

    private static HttpRequestMessage NewRequest(Uri url, string? etag, string? lastModified)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!string.IsNullOrEmpty(etag) && EntityTagHeaderValue.TryParse(etag, out var tag))
        {
            request.Headers.IfNoneMatch.Add(tag);
        }

        if (!string.IsNullOrEmpty(lastModified) && DateTimeOffset.TryParse(lastModified, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var since))
        {
            request.Headers.IfModifiedSince = since;
        }

        return request;
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>Where a 3xx points, or why it is not followed: a ticker has no business sending the poller to ftp:, file: or data:.</summary>
    private static (Uri? Target, string? Refused) RedirectTarget(Uri from, HttpResponseMessage response, int hop)
    {
        var location = response.Headers.Location;
        if (location is null)
        {
            return (null, $"HTTP {(int)response.StatusCode} redirect without a Location");
        }

        if (!location.IsAbsoluteUri && !Uri.TryCreate(from, location, out location))
        {
            return (null, $"HTTP {(int)response.StatusCode} redirect to an unreadable Location");
        }

        if (location.Scheme != Uri.UriSchemeHttp && location.Scheme != Uri.UriSchemeHttps)
        {
            return (null, $"redirect to a {location.Scheme}: address refused (only http and https are followed)");
        }

        if (hop >= MaxRedirects)
        {
            return (null, $"more than {MaxRedirects} redirects (last to {location.GetLeftPart(UriPartial.Path)})");
        }

        return (location, null);
    }

    private async Task<FetchResult> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return new FetchResult.NotModified();
        }

        if (!response.IsSuccessStatusCode)
        {
            return new FetchResult.Failed($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        var max = options.Value.MaxResponseBytes;
        if (response.Content.Headers.ContentLength > max)
        {
            return new FetchResult.Failed($"response of {response.Content.Headers.ContentLength} bytes exceeds Alerts:Polling:MaxResponseBytes ({max})");
        }

        var body = await ReadLimitedAsync(response.Content, max, cancellationToken);
        if (body is null)
        {
            return new FetchResult.Failed($"response exceeds Alerts:Polling:MaxResponseBytes ({max})");
        }

        return new FetchResult.Content(
            body,
            response.Headers.ETag?.ToString(),
            response.Content.Headers.LastModified?.ToString("R"));
    }

    private static async Task<string?> ReadLimitedAsync(HttpContent content, int max, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        var charset = content.Headers.ContentType?.CharSet?.Trim('"');
        var encoding = System.Text.Encoding.UTF8;
        if (!string.IsNullOrEmpty(charset))
        {
            try
            {
                encoding = System.Text.Encoding.GetEncoding(charset);
            }
            catch (ArgumentException)
            {
                // Unknown charset: UTF-8 is the web's default and the parsers' best chance.
            }
        }

        return encoding.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
