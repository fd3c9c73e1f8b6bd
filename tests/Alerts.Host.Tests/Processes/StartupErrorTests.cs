using System.Net;
using System.Net.Sockets;

namespace Alerts.Host.Tests.Processes;

/// <summary>
/// Each configuration mistake an operator can make stops the real process before it takes a lease or binds a port,
/// with <c>Invalid configuration:</c> as the first line on stderr, one line naming the key or file, exit code 1, and no
/// stack trace (SPEC §10; issue 12's reproduced cases 1 and 3).
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class StartupErrorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("Alerts:Sources:0:PollInterval", "abc", "Alerts:Sources:0:PollInterval 'abc' is not a duration; write [d.]hh:mm:ss, e.g. 00:01:00 for one minute")]
    [InlineData("Alerts:Sources:0:PollInterval", "1m", "Alerts:Sources:0:PollInterval '1m' is not a duration")]
    [InlineData("Alerts:Polling:Timeout", "abc", "Alerts:Polling:Timeout 'abc' is not a duration")]
    [InlineData("Alerts:Limits:MaxQueryLength", "abc", "Alerts:Limits:MaxQueryLength 'abc' is not a whole number")]
    [InlineData("Alerts:Telegram:Mode", "Bogus", "Alerts:Telegram:Mode 'Bogus' is not one of Polling, Webhook")]
    [InlineData("Alerts:Discord:RequestTimeout", "soon", "Alerts:Discord:RequestTimeout 'soon' is not a duration")]
    [InlineData("Alerts:ConsoleSubscriptions:0:Platform", "", "Alerts:ConsoleSubscriptions:0:Platform must be console or webhook")]
    [InlineData("ASPNETCORE_URLS", "bogus", "Urls 'bogus' is not an address to listen on")]
    [InlineData("Logging:LogLevel:Default", "Loud", "Logging:LogLevel:Default 'Loud' is not one of Trace, Debug, Information, Warning, Error, Critical, None")]
    [InlineData("Alerts:Storage:Provider", "MySql", "Alerts:Storage:Provider is 'MySql'; it must be 'Sqlite' or 'Postgres'.")]
    public async Task ABadValueStopsStartUpNamingTheKey(string key, string value, string expected)
    {
        using var directory = new TempDirectory("alerts-badvalue");

        await using var host = await HostProcess.RunAsync(directory.Path, new Dictionary<string, string> { [key] = value }, Timeout);

        AssertInvalidConfiguration(host, expected);
        Assert.False(File.Exists(Path.Combine(directory.Path, "data", "alerts.db")), "no database is touched before the configuration is valid");
    }

    [Fact]
    public async Task ABadListElementInAConfigFileIsReportedNotDropped()
    {
        // The binder used to drop this source silently: "Polling is off (no sources configured)" and /healthz said ok.
        using var directory = new TempDirectory("alerts-badelement");
        directory.Write("config/appsettings.json", """
            { "Alerts": { "Sources": [ { "Id": "ntv-ukraine", "Kind": "feed", "Url": "http://127.0.0.1:9/feed", "PollInterval": "1m" } ] } }
            """);

        await using var host = await HostProcess.RunAsync(directory.Path, new Dictionary<string, string>(), Timeout);

        AssertInvalidConfiguration(host, "Alerts:Sources:0:PollInterval '1m' is not a duration");
    }

    [Fact]
    public async Task AMalformedConfigFileIsNamedWithLineAndPosition()
    {
        using var directory = new TempDirectory("alerts-badjson");
        directory.Write("config/appsettings.json", "{\n  \"Alerts\": {\n    \"Limits\": { \"MaxQueryLength\": 256 }\n    \"Storage\": {}\n  }\n}\n");

        await using var host = await HostProcess.RunAsync(directory.Path, new Dictionary<string, string>(), Timeout);

        AssertInvalidConfiguration(host, Path.Combine("config", "appsettings.json") + ": not valid JSON at line 4, position 5: ");
    }

    [Fact]
    public async Task ABrokenAliasFileAtStartUpIsAConfigurationError()
    {
        using var directory = new TempDirectory("alerts-badaliases");
        directory.Write("config/aliases.json", """{ "aliases": [ ["Selenskyj", 7] ] }""");

        await using var host = await HostProcess.RunAsync(directory.Path, new Dictionary<string, string>(), Timeout);

        AssertInvalidConfiguration(host, Path.Combine("config", "aliases.json") + ": aliases[0] must be an array of strings");
    }

    [Fact]
    public async Task APortInUseStopsStartUpBeforeAnyLeaseOrDatabase()
    {
        using var directory = new TempDirectory("alerts-port");
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var host = await HostProcess.RunAsync(directory.Path, new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" }, Timeout);

        AssertInvalidConfiguration(host, $"Urls 'http://127.0.0.1:{port}': port {port} on 127.0.0.1 is already in use by another process");

        // The leases live in the database: without a database file, no lease was taken.
        Assert.False(File.Exists(Path.Combine(directory.Path, "data", "alerts.db")));
    }

    [Fact]
    public async Task AnUnopenableSqliteDatabaseNamesThePathAndTheUser()
    {
        using var directory = new TempDirectory("alerts-sqlite");

        // A directory where the database file should be: SQLite error 14, as with a volume the app user cannot write
        // (that one cannot be staged here, where the tests may run as root).
        Directory.CreateDirectory(Path.Combine(directory.Path, "data", "alerts.db"));

        await using var host = await HostProcess.RunAsync(directory.Path, new Dictionary<string, string>(), Timeout);

        var path = Path.Combine(directory.Path, "data", "alerts.db");
        AssertInvalidConfiguration(host, $"Alerts:Storage:ConnectionString: cannot open the SQLite database {path} as user '{Environment.UserName}'");
        Assert.Contains(host.Errors, l => l.Contains("SQLite Error 14", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnUnreachablePostgresIsRetriedVisiblyThenNamed()
    {
        using var directory = new TempDirectory("alerts-pg");
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there now: connection refused

        await using var host = await HostProcess.RunAsync(directory.Path, new Dictionary<string, string>
        {
            ["Alerts:Storage:Provider"] = "Postgres",
            ["Alerts:Storage:ConnectionString"] = $"Host=127.0.0.1;Port={port};Username=alerts;Password=not-logged;Database=alerts",
            ["Alerts:Storage:StartupWait"] = "00:00:05",
        }, Timeout);

        AssertInvalidConfiguration(host, $"Alerts:Storage:ConnectionString: PostgreSQL at 127.0.0.1:{port} did not answer within 00:00:05");
        Assert.Contains(host.Lines, l => l.Contains($"PostgreSQL at 127.0.0.1:{port} does not answer", StringComparison.Ordinal) && l.Contains("trying again until", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Output, l => l.Contains("not-logged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryProblemIsListedAtOnce()
    {
        using var directory = new TempDirectory("alerts-many");

        await using var host = await HostProcess.RunAsync(directory.Path, new Dictionary<string, string>
        {
            ["Alerts:Sources:0:PollInterval"] = "abc",
            ["Alerts:Polling:Timeout"] = "abc",
            ["Alerts:Telegram:Mode"] = "Bogus",
        }, Timeout);

        AssertInvalidConfiguration(host, "Alerts:Sources:0:PollInterval 'abc'");
        Assert.Equal(4, host.Errors.Count);
    }

    internal static void AssertInvalidConfiguration(HostProcess host, string expected)
    {
        Assert.True(host.ExitCode == 1, $"exit code {host.ExitCode}\n{host.Log}");
        Assert.True(host.Errors.Count > 1, host.Log);
        Assert.Equal("Invalid configuration:", host.Errors[0]);
        Assert.Contains(host.Errors, l => l.StartsWith("  " + expected, StringComparison.Ordinal));
        Assert.DoesNotContain(host.Output, l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal));
    }
}

/// <summary>A throw-away working directory for a process test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string relative, string content)
    {
        var file = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process that still holds a file; the temp folder is cleaned by the system.
        }
    }
}
