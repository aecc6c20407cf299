using System.CommandLine;
using Spectre.Console;
using SteelCI.Kaggle.Probe;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci kaggle probe --account A [--kaggle-url URL]</c>: before a first real run, pushes a small kernel (a
/// generated Python script, no trainer) that reports what the launcher relies on (OS, libstdc++'s GLIBCXX versions,
/// python, torch and CUDA, GPUs, the /kaggle/input layout, execute bits, free disk), waits for it, downloads its
/// output and prints it as a table.
/// </summary>
public static class KaggleProbeCommand
{
    public static Command Create(CliServices services)
    {
        var account = new Option<string?>("--account") { Description = "The Kaggle account to probe (credentials as for steelci run, e.g. KAGGLE_API_TOKEN_ALICE; default: the default account)" };
        var url = new Option<string?>("--kaggle-url") { Description = "Base URL of the Kaggle API (default https://api.kaggle.com/); a fake's URL from `steelci fake kaggle`" };
        var workspace = new Option<string?>("--workspace") { Description = "Folder for the probe's kernel folder and outputs (default: .steelci in the current folder)" };
        var cpu = new Option<bool>("--cpu") { Description = "Probe a CPU session (spends no GPU quota; torch then sees no GPU)" };
        var poll = new Option<double?>("--poll-seconds") { Description = "Seconds between status checks (default: 30 on Kaggle, 1 against a fake)" }.Positive();
        var bundle = new Option<string?>("--bundle") { Description = "A trainer bundle folder to attach, so the probe loads TorchSharp's native shim against the CUDA libtorch a gpu stage would use" };
        var probe = new Command("probe", "Run a small kernel that reports what the SteelCI launcher relies on, and which rung of the device ladder a gpu stage takes")
        {
            account, url, workspace, cpu, poll, bundle,
        };
        probe.SetAction((result, cancellationToken) => RunAsync(result.GetValue(account), result.GetValue(url), result.GetValue(workspace),
            result.GetValue(cpu), result.GetValue(poll), result.GetValue(bundle), services, cancellationToken));
        return new Command("kaggle", "Kaggle tools (probe an account's kernel image; prepare its pinned CUDA runtime)")
        {
            probe, KaggleRuntimeCommand.Create(services, account, url, workspace, poll),
        };
    }

    private static async Task<int> RunAsync(string? account, string? url, string? workspaceRoot, bool cpu, double? pollSeconds, string? bundle,
        CliServices services, CancellationToken cancellationToken)
    {
        var console = services.Console;
        if (!console.Profile.Capabilities.Interactive)
            console.Profile.Width = Math.Max(console.Profile.Width, 160); // logs are read in wide viewers, not 80 columns
        var time = services.Time;
        var values = new KaggleRunOptions.Values("kaggle", account is null ? [] : [account], url, pollSeconds);
        var root = Path.GetFullPath(workspaceRoot ?? ".steelci");
        using var wiring = services.Kaggle(values, root);
        var log = new ConsoleKaggleLog(console, time);
        var options = new ProbeOptions
        {
            Accelerator = cpu ? "cpu" : "gpu",
            PollInterval = values.PollInterval("kaggle"),
            Account = wiring.Backend.Accounts[0],
            Bundle = bundle is null ? null : Path.GetFullPath(bundle),
        };
        var result = await new KaggleProbe(wiring.Backend, root, time, log).RunAsync(options, cancellationToken);
        Write(console, result);
        return ExitCodes.Success;
    }

    public static void Write(IAnsiConsole console, ProbeResult result)
    {
        var rows = result.Report.Rows();
        var table = new Table().Title(Markup.Escape($"kaggle probe · account {result.Account} · {result.Slug}"));
        table.AddColumns("check", "found", "", "for the launcher");
        foreach (var row in rows)
        {
            var (mark, colour) = row.Verdict switch
            {
                ProbeVerdict.Ok => ("ok", "green"),
                ProbeVerdict.Note => ("note", "yellow"),
                ProbeVerdict.Problem => ("PROBLEM", "red"),
                _ => ("", "grey"),
            };
            table.AddRow(Markup.Escape(row.Item), Markup.Escape(row.Value), $"[{colour}]{mark}[/]", Markup.Escape(row.Meaning));
        }
        console.Write(table);
        var problems = rows.Count(r => r.Verdict == ProbeVerdict.Problem);
        console.WriteLine($"{problems} problem(s). Report: {Path.Combine(result.OutputDirectory, ProbeScript.ResultFile)}");
    }
}
