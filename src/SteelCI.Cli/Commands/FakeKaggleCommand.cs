using System.CommandLine;
using System.Security.Cryptography;
using Spectre.Console;
using SteelCI.Kaggle.Fake;
using SteelCI.Local;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci fake kaggle</c>: the loopback fake of Kaggle's API in the foreground, really running pushed kernels with
/// python3 (LocalKernelRunner), so a pipeline can be rehearsed offline before it spends real quota.
/// </summary>
public static class FakeKaggleCommand
{
    public static Command Create(CliServices services)
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0: any free port)", DefaultValueFactory = _ => 8642 };
        var users = new Option<string[]>("--user")
        {
            Description = "An account of the fake as NAME or NAME:TOKEN (repeat; default alice and bob with generated tokens)",
            AllowMultipleArgumentsPerToken = false,
        };
        var data = new Option<string?>("--data-dir") { Description = "Where the fake keeps uploads and kernel runs (default: a temporary folder, deleted on exit)" };
        var threads = new Option<int>("--threads") { Description = "Torch threads per fake kernel", DefaultValueFactory = _ => 1 };
        var queue = new Option<int>("--queue-seconds") { Description = "How long a pushed kernel stays queued before it runs (bench/ticks keeps it queued)", DefaultValueFactory = _ => 1 };
        var kaggle = new Command("kaggle", "Start a loopback fake of the Kaggle API that really runs kernels with python3 (Ctrl+C stops it)")
        {
            port, users, data, threads, queue,
        };
        kaggle.SetAction((result, cancellationToken) => !OperatingSystem.IsLinux()
            ? throw new NotSupportedException("steelci fake kaggle runs kernels the way Kaggle does, on Linux only")
            : RunAsync(result.GetValue(port), result.GetValue(users) ?? [],
            result.GetValue(data), result.GetValue(threads), TimeSpan.FromSeconds(Math.Max(0, result.GetValue(queue))), services, cancellationToken));
        return new Command("fake", "Loopback fakes of the remote services, for offline rehearsals") { kaggle, FakeGitHubCommand.Create(services) };
    }

    /// <summary>NAME:TOKEN pairs; a NAME alone gets a generated fake token.</summary>
    public static IReadOnlyList<(string Name, string Token)> ParseUsers(IEnumerable<string> users)
    {
        var parsed = users.Select(u =>
        {
            var colon = u.IndexOf(':');
            var name = (colon < 0 ? u : u[..colon]).Trim();
            var token = colon < 0 ? "" : u[(colon + 1)..].Trim();
            if (name.Length == 0)
                throw new NotSupportedException($"--user {u}: expected NAME or NAME:TOKEN");
            return (name, token.Length > 0 ? token : "KGAT_fake_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        }).ToList();
        return parsed.Count > 0 ? parsed : ParseUsers(["alice", "bob"]);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static async Task<int> RunAsync(int port, string[] users, string? dataDir, int threads, TimeSpan queueTime, CliServices services,
        CancellationToken cancellationToken)
    {
        var console = services.Console;
        var accounts = ParseUsers(users);
        var options = new FakeKaggleOptions
        {
            Port = port,
            Time = services.Time,
            DataDirectory = dataDir is null ? null : Directory.CreateDirectory(dataDir).FullName,
            QueueTime = queueTime,
            DatasetProcessingTime = TimeSpan.FromSeconds(2),
            Runner = new LocalKernelRunner(services.Processes, threads: Math.Max(1, threads)),
        };
        await using var server = await FakeKaggleServer.StartAsync(options, cancellationToken);
        foreach (var (name, token) in accounts)
            server.State.AddUser(name, token);
        var url = server.BaseUrl.ToString();
        console.WriteLine($"fake Kaggle API at {url} (uploads and runs in {server.DataDirectory}); Ctrl+C stops it");
        console.WriteLine("point a pipeline at it from another shell:");
        foreach (var (name, token) in accounts)
            console.WriteLine($"  export KAGGLE_API_TOKEN_{KaggleTokenSuffix(name)}={token}");
        console.WriteLine($"  steelci run kernels/severstal/steelci.yml --profile ci --backend kaggle " +
            string.Join(' ', accounts.Select(a => $"--account {a.Name}")) + $" --kaggle-url {url}");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            console.WriteLine("stopping the fake");
        }
        return ExitCodes.Success;
    }

    private static string KaggleTokenSuffix(string name) =>
        SteelCI.Kaggle.Credentials.KaggleCredentialReader.Suffixed("", name).TrimStart('_');
}
