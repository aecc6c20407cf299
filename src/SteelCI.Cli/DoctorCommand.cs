using System.CommandLine;
using System.Text;
using Spectre.Console;
using SteelCI.GitHub;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Credentials;
using SteelCI.Local;
using SteelCI.Ports;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci doctor [pipeline]</c>: checks the setup a run needs and says how to fix each problem. Locally: dotnet,
/// python3, libstdc++'s GLIBCXX level (whether the glibcxx fix applies), free disk in the workspace, and whether the
/// scheduled workflow is about to be disabled. With the kaggle backend, per account: token valid (IntrospectToken),
/// GPU entitlement, quota left against the reserve, sessions in use. With the github store (or GITHUB_REPOSITORY set):
/// token valid, its scopes and access to the repository. Exit 0 when nothing blocks a run (warnings allowed), 2 when
/// something does.
/// </summary>
public static class DoctorCommand
{
    public enum Level { Ok, Warn, Fail }

    public sealed record Finding(string Area, string Check, Level Level, string Detail, string? Fix = null);

    /// <summary>Where to look for libstdc++ (tests point it at a file of their own).</summary>
    public static IReadOnlyList<string> LibStdCxxCandidates { get; set; } =
        ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6"];

    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var store = new Option<string?>("--store") { Description = "local or github (default: the pipeline file's store)" };
        var kaggle = new KaggleRunOptions();
        var command = new Command("doctor", "Check dotnet, python3, libstdc++, disk, Kaggle accounts and GitHub access; say how to fix each problem")
        {
            pipeline, workspace, store,
        };
        kaggle.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(pipeline)!, result.GetValue(workspace),
            result.GetValue(store), kaggle.Read(result), services, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string specPath, string? workspaceRoot, string? storeName, KaggleRunOptions.Values backend,
        CliServices services, CancellationToken cancellationToken)
    {
        var (console, time) = (services.Console, services.Time);
        var findings = new List<Finding>();
        using var context = services.Operate(specPath, workspaceRoot, null, backend, strict: false);
        if (context.PipelineProblem is not null)
            findings.Add(new("pipeline", Path.GetFileName(specPath), Level.Fail, context.PipelineProblem,
                "fix the file (steelci validate shows the line), or pass the pipeline file as the first argument"));
        var pipeline = context.Pipeline;

        findings.Add(await DotnetAsync(cancellationToken));
        findings.Add(await PythonAsync(cancellationToken));
        findings.Add(LibStdCxx());
        findings.Add(Disk(context.Workspace.Root));
        var stale = KeepAlive.Check(Path.GetDirectoryName(Path.GetFullPath(specPath))!, time.GetUtcNow());
        if (stale is not null)
            findings.Add(new("local", "scheduled workflow", Level.Warn, stale));

        if (pipeline?.Backend == "kaggle")
            findings.AddRange(await KaggleAsync(context, backend, console, time, cancellationToken));
        if (pipeline is not null && pipeline.Nodes.Any(n => pipeline.BackendOf(n) == "slurm"))
            findings.AddRange(await SlurmDoctor.CheckAsync(pipeline, cancellationToken));
        var store = storeName ?? pipeline?.Store ?? "local";
        if (store == "github" || Environment.GetEnvironmentVariable("GITHUB_REPOSITORY") is not null)
            findings.AddRange(await GitHubAsync(context.Workspace, required: store == "github", cancellationToken));

        Write(OperateContext.Wide(console), findings);
        var failures = findings.Count(f => f.Level == Level.Fail);
        var warnings = findings.Count(f => f.Level == Level.Warn);
        console.WriteLine(failures > 0
            ? $"doctor: {failures} problem(s) block a run, {warnings} warning(s)."
            : $"doctor: nothing blocks a run ({warnings} warning(s)).");
        return failures > 0 ? ExitCodes.InvalidInput : ExitCodes.Success;
    }

    private static void Write(IAnsiConsole console, IReadOnlyList<Finding> findings)
    {
        var table = new Table().Border(console.Profile.Capabilities.Interactive ? TableBorder.Rounded : TableBorder.Ascii);
        table.AddColumns("area", "check", "", "detail", "fix");
        foreach (var f in findings)
        {
            var mark = f.Level switch { Level.Ok => "[green]ok[/]", Level.Warn => "[yellow]warn[/]", _ => "[red]FAIL[/]" };
            table.AddRow(Markup.Escape(f.Area), Markup.Escape(f.Check), mark, Markup.Escape(f.Detail), Markup.Escape(f.Fix ?? ""));
        }
        console.Write(table);
    }

    // ---- local ----

    private static async Task<Finding> DotnetAsync(CancellationToken cancellationToken)
    {
        const string fix = "install the .NET 10 SDK: https://dotnet.microsoft.com/download/dotnet/10.0";
        var version = await VersionOfAsync("dotnet", ["--version"], cancellationToken);
        if (version is null)
            return new("local", "dotnet", Level.Fail, "dotnet is not on PATH (it builds and publishes the trainer)", fix);
        var major = int.TryParse(version.Split('.')[0], out var m) ? m : 0;
        return major >= 10
            ? new("local", "dotnet", Level.Ok, $"SDK {version}")
            : new("local", "dotnet", Level.Fail, $"SDK {version}; SteelCI needs .NET 10", fix);
    }

    private static async Task<Finding> PythonAsync(CancellationToken cancellationToken)
    {
        var version = await VersionOfAsync("python3", ["--version"], cancellationToken);
        return version is null
            ? new("local", "python3", Level.Fail, "python3 is not on PATH (the kernel launcher is Python, as on Kaggle)",
                "sudo apt-get install python3 (or your distribution's package)")
            : new("local", "python3", Level.Ok, version);
    }

    private static async Task<string?> VersionOfAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        try
        {
            var result = await new SystemProcessRunner().RunAsync(new ProcessSpec(program, arguments, Environment.CurrentDirectory), cancellationToken);
            return result.ExitCode == 0 ? result.Output.Trim().Split('\n')[0].Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>TorchSharp 0.107 asks for GLIBCXX_3.4.32; without it the build weakens that need (the glibcxx fix).</summary>
    public static Finding LibStdCxx()
    {
        var path = LibStdCxxCandidates.FirstOrDefault(File.Exists);
        if (path is null)
            return new("local", "libstdc++", Level.Warn, "libstdc++.so.6 not found in the usual places; TorchSharp needs it",
                "sudo apt-get install libstdc++6");
        var bytes = File.ReadAllBytes(path);
        var has = Contains(bytes, "GLIBCXX_3.4.32"u8);
        var newest = Enumerable.Range(20, 20).Reverse().FirstOrDefault(n => Contains(bytes, Encoding.ASCII.GetBytes($"GLIBCXX_3.4.{n}\0")));
        return has
            ? new("local", "libstdc++", Level.Ok, $"{path} has GLIBCXX_3.4.32; the glibcxx fix is not needed")
            : new("local", "libstdc++", Level.Ok, $"{path} stops at GLIBCXX_3.4.{newest}: the glibcxx fix is needed and applied automatically " +
                "by the build and inside every kernel (docs/contracts.md#the-glibcxx-fix)");
    }

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static Finding Disk(string workspace)
    {
        var existing = new DirectoryInfo(workspace);
        while (existing is not null && !existing.Exists)
            existing = existing.Parent;
        var drive = new DriveInfo(existing?.FullName ?? "/");
        var free = drive.AvailableFreeSpace / (1024.0 * 1024 * 1024);
        var detail = $"{free:0.#} GiB free for {workspace}";
        const string fix = "free space (steelci prune, steelci clean, ~/.nuget/packages) or pass --workspace on a larger disk";
        return free < 2 ? new("local", "disk", Level.Fail, detail + " (TorchSharp alone takes ~1 GiB per trainer bundle)", fix)
            : free < 10 ? new("local", "disk", Level.Warn, detail, fix)
            : new("local", "disk", Level.Ok, detail);
    }

    // ---- Kaggle ----

    private static async Task<IReadOnlyList<Finding>> KaggleAsync(OperateContext context, KaggleRunOptions.Values backend, IAnsiConsole console,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        KaggleWiring wiring;
        try
        {
            wiring = KaggleWiring.Create(backend, context.Workspace.Root, console, time);
        }
        catch (KaggleCredentialsException error)
        {
            return [new("kaggle", "credentials", Level.Fail, error.Message,
                "create a token at https://www.kaggle.com/settings (API → Generate New Token) and set KAGGLE_API_TOKEN_<ACCOUNT>")];
        }
        using (wiring)
        {
            var state = await context.LoadStateAsync(cancellationToken);
            var reserve = KaggleAccountReport.ReserveHours();
            var usable = 0;
            foreach (var client in wiring.Clients)
            {
                var name = $"account {client.Account.Name}";
                try
                {
                    if (client.Account.Credential is TokenCredential token)
                    {
                        var introspection = await client.IntrospectTokenAsync(token, cancellationToken);
                        if (!introspection.Active)
                        {
                            findings.Add(new("kaggle", name, Level.Fail, "token is not active", token.RenewHint));
                            continue;
                        }
                        findings.Add(new("kaggle", name, Level.Ok, $"token valid for {introspection.Username} ({token.Source})"));
                    }
                    else
                        findings.Add(new("kaggle", name, Level.Warn, $"legacy key of {client.Account.KnownUsername} ({client.Account.Credential.Source}); " +
                            "some users see these refused", client.Account.Credential.RenewHint));

                    var statistics = await client.GetAcceleratorQuotaStatisticsAsync(cancellationToken);
                    var gpu = statistics.GpuQuota;
                    var sessions = KaggleAccountReport.SessionsInUse(state, client.Account.Name);
                    if (gpu is null) // gpuQuota absent: no GPU access (kaggle-api.md §8), not "0 h left"
                    {
                        findings.Add(new("kaggle", name + " GPU", Level.Fail, AcceleratorQuotaStatistics.NoGpuAccess,
                            AcceleratorQuotaStatistics.NoGpuAccessFix));
                        continue;
                    }
                    if (gpu.TotalTimeAllowed <= TimeSpan.Zero)
                    {
                        findings.Add(new("kaggle", name + " GPU", Level.Fail, "Kaggle allows this account 0 h of GPU this week",
                            "wait for the refresh, or " + AcceleratorQuotaStatistics.NoGpuAccessFix));
                        continue;
                    }
                    var left = gpu.Remaining.TotalHours;
                    var detail = $"{left:0.#} h GPU left of {gpu.TotalTimeAllowed.TotalHours:0.#} h, reserve {reserve:0.#} h, " +
                        $"{sessions} session(s) in use by SteelCI" + (statistics.QuotaRefreshTime is { } r ? $", refreshes {r:u}" : "");
                    if (left - reserve <= 0)
                        findings.Add(new("kaggle", name + " quota", Level.Warn, detail + ": nothing left above the reserve",
                            $"wait for the refresh, add an account (--account), or lower {TickCommand.ReserveVariable}"));
                    else
                    {
                        findings.Add(new("kaggle", name + " quota", Level.Ok, detail));
                        usable++;
                    }
                }
                catch (KaggleAuthException error)
                {
                    findings.Add(new("kaggle", name, Level.Fail, error.Message, client.Account.Credential.RenewHint));
                }
                catch (KaggleException error)
                {
                    findings.Add(new("kaggle", name, Level.Fail, error.Message,
                        "check the network and https://www.kaggle.com/ (or --kaggle-url for a fake), then run steelci doctor again"));
                }
            }
            if (usable == 0 && findings.All(f => f.Level != Level.Fail))
                findings.Add(new("kaggle", "accounts", Level.Fail, "no account has GPU hours above its reserve: GPU stages cannot start",
                    "wait for the weekly refresh or add an account"));
        }
        return findings;
    }

    // ---- GitHub ----

    private static async Task<IReadOnlyList<Finding>> GitHubAsync(Workspace workspace, bool required, CancellationToken cancellationToken)
    {
        var level = required ? Level.Fail : Level.Warn;
        GitHubStoreOptions options;
        try
        {
            options = GitHubStoreOptions.FromEnvironment(Path.Combine(workspace.Root, "github-cache"));
        }
        catch (GitHubStoreException error)
        {
            return [new("github", "configuration", level, error.Message, "export GITHUB_REPOSITORY=owner/name and a token (STEELCI_GITHUB_TOKEN or GITHUB_TOKEN)")];
        }
        var repository = $"{options.Owner}/{options.Repository}";
        var client = GitHubArtifactStore.CreateClient(options);
        try
        {
            var repo = await client.Repository.Get(options.Owner, options.Repository).WaitAsync(cancellationToken);
            var scopes = client.GetLastApiInfo()?.OauthScopes;
            var scopeText = scopes is { Count: > 0 } ? $"scopes {string.Join(", ", scopes)}" : "no classic scopes (fine-grained or Actions token)";
            var push = repo.Permissions?.Push ?? false;
            return push
                ? [new("github", repository, Level.Ok, $"token valid, can write releases ({scopeText})")]
                : [new("github", repository, level, $"token valid but cannot write to {repository} ({scopeText}); publishing releases will be refused",
                    "in Actions: permissions: contents: write; a classic token needs the repo scope, a fine-grained one Contents: read and write")];
        }
        catch (Octokit.AuthorizationException)
        {
            return [new("github", repository, level, "the token was refused (401)",
                "create a new token at https://github.com/settings/tokens and set STEELCI_GITHUB_TOKEN")];
        }
        catch (Octokit.NotFoundException)
        {
            return [new("github", repository, level, $"{repository} is not visible to this token (404)",
                "check GITHUB_REPOSITORY; give the token access to the repository (fine-grained tokens list their repositories)")];
        }
        catch (Exception error) when (error is Octokit.ApiException or HttpRequestException)
        {
            return [new("github", repository, level, $"GitHub could not be asked: {error.Message}", $"check the network and {options.ApiUrl}")];
        }
    }
}
