using Spectre.Console;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Backend;
using SteelCI.Kaggle.Credentials;

namespace SteelCI.Cli;

/// <summary>
/// Composes the kaggle backend for <c>steelci run</c>: one client per account (credentials read as the official CLI
/// reads them), one shared HttpClient, real time, and
/// production's retries and waits whatever the URL (no switch for a fake: a rehearsal meets the client Kaggle meets).
/// </summary>
public sealed class KaggleWiring : IDisposable
{
    /// <summary>Kaggle's image has no .NET: trainer bundles for the kaggle backend carry the runtime.</summary>
    public const string TrainerRuntime = "linux-x64";

    private readonly HttpClient _http;
    private readonly List<KaggleClient> _clients;

    private KaggleWiring(HttpClient http, List<KaggleClient> clients, KaggleBackend backend, KaggleAccounts.Choice accounts)
    {
        _http = http;
        _clients = clients;
        Backend = backend;
        Accounts = accounts;
    }

    public KaggleBackend Backend { get; }

    /// <summary>The accounts and their settings (reserve, sessions, enabled), and where the names came from.</summary>
    public KaggleAccounts.Choice Accounts { get; }

    /// <summary>One client per configured account (status, doctor, cancel and prune ask Kaggle directly).</summary>
    public IReadOnlyList<KaggleClient> Clients => _clients;

    /// <param name="configured">steelci.yml's compute.kaggle section, when the command has a pipeline (<see cref="KaggleAccounts"/>).</param>
    public static KaggleWiring Create(KaggleRunOptions.Values values, string workspace, IAnsiConsole console, TimeProvider time,
        Spec.KaggleComputeSpec? configured = null)
    {
        var log = new ConsoleKaggleLog(console, time);
        var reader = KaggleCredentialReader.FromProcess(warn: log.Warn);
        var choice = KaggleAccounts.Resolve(configured, values.Accounts, Environment.GetEnvironmentVariable);
        var accounts = choice.Accounts.Select((account, i) => reader.Read(account.Name, isDefault: i == 0)).ToList();
        // Production's options whatever the URL: a fake is rehearsed with the client that meets Kaggle.
        var options = new KaggleClientOptions { BaseUrl = Settings.KaggleBaseUrl(values.KaggleUrl) };
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = Timeout.InfiniteTimeSpan };
        var clients = accounts.Select(a => new KaggleClient(http, a, options, time, log)).ToList();
        // The pinned CUDA runtime's wheel indexes: PyTorch's and PyPI's, or loopback stand-ins for a rehearsal.
        var backendOptions = new KaggleBackendOptions
        {
            Workspace = workspace,
            TorchIndex = Environment.GetEnvironmentVariable("STEELCI_TORCH_INDEX") ?? Kernels.PinnedRuntime.DefaultTorchIndex,
            PypiIndex = Environment.GetEnvironmentVariable("STEELCI_PYPI_INDEX") ?? Kernels.PinnedRuntime.DefaultPypiIndex,
            Libtorch = Kaggle.Probe.ProbeReport.DefaultLibtorch,
        };
        log.Info($"{string.Join(", ", accounts.Select(a => a.ToString()))} at {options.BaseUrl}");
        return new KaggleWiring(http, clients, new KaggleBackend(clients, backendOptions, time, log), choice);
    }

    public void Dispose()
    {
        Backend.Dispose();
        foreach (var client in _clients)
            client.Dispose();
        _http.Dispose();
    }
}

/// <summary>The Kaggle client's and backend's lines (uploads, downloads, retries, waits) on the console; never a secret.</summary>
public sealed class ConsoleKaggleLog(IAnsiConsole console, TimeProvider time) : IKaggleLog
{
    private readonly object _gate = new();
    private readonly bool _interactive = console.Profile.Capabilities.Interactive && Environment.GetEnvironmentVariable("CI") is null;

    public void Info(string line) => Write("grey", "kaggle: ", line);

    public void Warn(string line) => Write("yellow", "kaggle warning: ", line);

    private void Write(string colour, string prefix, string line)
    {
        var stamp = time.GetLocalNow().ToString("HH:mm:ss");
        lock (_gate)
        {
            if (_interactive)
                console.MarkupLine($"[grey]{stamp}[/] [{colour}]{Markup.Escape(prefix + line)}[/]");
            else
                console.WriteLine($"{stamp} {prefix}{line}");
        }
    }
}
