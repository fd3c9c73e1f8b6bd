using System.Net;
using System.Net.Sockets;
using Alerts.Core.Matching;

namespace Alerts.Host.Startup;

/// <summary>
/// What must hold before the host is built, before any lease is taken or port bound (SPEC §10): every value converts
/// to its type, the log levels are log levels, the alias file parses, and each address in <c>Urls</c> is an address
/// this process can listen on.
/// </summary>
internal static class StartupChecks
{
    public static List<string> BeforeBuild(IHostApplicationBuilder builder)
    {
        var sections = builder.Services.Select(d => d.IsKeyedService ? null : d.ImplementationInstance).OfType<BoundSection>();
        var problems = BindingCheck.Problems(builder.Configuration, sections);
        problems.AddRange(LogLevels(builder.Configuration));
        problems.AddRange(Aliases(ConfigFiles.FindAliases()));
        problems.AddRange(Urls(builder.Configuration["urls"]));
        return problems;
    }

    /// <summary><c>Logging:LogLevel:X</c> and <c>Logging:Provider:LogLevel:X</c>: the logging system throws on an unknown level at the first log line.</summary>
    internal static IEnumerable<string> LogLevels(IConfiguration configuration)
    {
        foreach (var (key, value) in configuration.GetSection("Logging").AsEnumerable())
        {
            if (!string.IsNullOrEmpty(value) && key.Contains(":LogLevel:", StringComparison.OrdinalIgnoreCase)
                && BindingCheck.Problem(value, typeof(LogLevel)) is { } problem)
            {
                yield return $"{key} '{value}' {problem}";
            }
        }
    }

    /// <summary>A broken alias file at start-up would leave the service with no aliases at all; at run time the last good table stays.</summary>
    internal static IEnumerable<string> Aliases(string? path)
    {
        if (path is null)
        {
            return [];
        }

        try
        {
            _ = AliasTable.Load(path);
            return [];
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            return [$"{ConfigFiles.Display(path)}: {e.Message}"];
        }
    }

    internal static IEnumerable<string> Urls(string? urls)
    {
        if (string.IsNullOrWhiteSpace(urls))
        {
            yield break;
        }

        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TryParseListenAddress(url, out var host, out var port))
            {
                yield return $"Urls '{url}' is not an address to listen on; write scheme://host:port, e.g. http://localhost:8080 or http://+:8080";
            }
            else if (port != 0 && CannotListen(host, port) is { } why)
            {
                yield return $"Urls '{url}': {why}";
            }
        }
    }

    /// <summary>Kestrel's own form: <c>http(s)://host[:port][/]</c>, host a name, an IP, <c>[IPv6]</c>, <c>*</c> or <c>+</c>.</summary>
    internal static bool TryParseListenAddress(string url, out string host, out int port)
    {
        host = "";
        port = 0;
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return false;
        }

        var scheme = url[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("http" or "https"))
        {
            return false;
        }

        var authority = url[(schemeEnd + 3)..];
        var slash = authority.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            authority = authority[..slash];
        }

        string portText;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = authority[1..close];
            portText = authority[(close + 1)..].TrimStart(':');
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? "" : authority[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            return false;
        }

        if (portText.Length == 0)
        {
            port = scheme == "https" ? 443 : 80;
            return true;
        }

        return int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) && port <= 65535;
    }

    /// <summary>Why this process cannot listen on the address, or null when it can (checked by listening for a moment).</summary>
    internal static string? CannotListen(string host, int port)
    {
        var address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var ip) ? ip
            : IPAddress.Any; // *, + and host names: Kestrel listens on every interface
        try
        {
            var listener = new TcpListener(address, port);
            listener.Start();
            listener.Stop();
            return null;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => $"port {port} on {address} is already in use by another process (another instance?); choose another with --urls or ASPNETCORE_URLS",
                SocketError.AccessDenied => $"port {port} needs privileges this user does not have; use a port above 1023",
                SocketError.AddressNotAvailable => $"{host} is not an address of this machine",
                _ => $"cannot listen on {address}:{port}: {e.Message}",
            };
        }
    }
}
