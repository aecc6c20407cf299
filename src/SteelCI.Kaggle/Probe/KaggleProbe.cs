using System.Globalization;
using System.Security.Cryptography;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Backend;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Probe;

public sealed record ProbeOptions
{
    /// <summary>"gpu" (default: a T4 session, what gpu stages get) or "cpu" (spends no GPU quota).</summary>
    public string Accelerator { get; init; } = "gpu";
    public TimeSpan SessionLimit { get; init; } = TimeSpan.FromMinutes(20);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long to wait for the kernel (queueing included) before giving up.</summary>
    public TimeSpan WaitLimit { get; init; } = TimeSpan.FromHours(3);
    /// <summary>The account to run on; null lets the backend choose.</summary>
    public string? Account { get; init; }
    /// <summary>A trainer bundle to attach, so the probe can load TorchSharp's native shim against the CUDA libtorch a
    /// gpu stage would use; null checks libtorch alone.</summary>
    public string? Bundle { get; init; }
}

/// <summary>What a probe run found: the report, the kernel it ran as, and where its outputs and log were kept.</summary>
public sealed record ProbeResult(ProbeReport Report, string Slug, string Account, string OutputDirectory, string Log);

/// <summary>
/// <c>steelci kaggle probe</c>'s work: pushes the probe kernel (<see cref="ProbeScript"/>) through the kaggle backend
/// with its tiny input dataset (an executable file, uploaded once per account and reused), polls until it ends,
/// downloads its output and log, and reads the report.
/// </summary>
public sealed class KaggleProbe(KaggleBackend backend, string workspace, TimeProvider time, IKaggleLog log)
{
    public async Task<ProbeResult> RunAsync(ProbeOptions options, CancellationToken cancellationToken)
    {
        var root = Path.Combine(workspace, "kaggle", "probe");
        var input = Path.Combine(root, "input");
        if (Directory.Exists(input))
            Directory.Delete(input, recursive: true);
        ProbeScript.WriteInput(input);
        var slug = "steelci-probe-" + time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" +
                   Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
        var kernel = Directory.CreateDirectory(Path.Combine(root, slug)).FullName;
        await File.WriteAllTextAsync(Path.Combine(kernel, ProbeScript.CodeFile), ProbeScript.Generate(), cancellationToken);
        List<KernelSource> sources = [new KernelSource(ProbeScript.InputMount, input, "")];
        if (options.Bundle is not null)
            sources.Add(new KernelSource(Kernels.KernelPackager.BundleMountPrefix + "probe", options.Bundle, ""));
        var package = new KernelPackage(slug, kernel, ProbeScript.CodeFile, sources, options.Accelerator, options.SessionLimit) { Account = options.Account };

        var handle = await backend.SubmitAsync(package, cancellationToken);
        var account = handle.Data["account"];
        log.Info($"probe {handle.Data["owner"]}/{handle.Data["kernel"]} version {handle.Data["version"]} pushed on account {account}; waiting for it to run");
        var deadline = time.GetUtcNow() + options.WaitLimit;
        AttemptStatus status;
        var last = AttemptState.Queued;
        while (true)
        {
            status = await backend.PollAsync(handle, cancellationToken);
            if (status.IsFinished)
                break;
            if (status.State != last)
                log.Info($"probe {slug}: {status.State.ToString().ToLowerInvariant()}");
            last = status.State;
            if (time.GetUtcNow() >= deadline)
                throw new KaggleException($"probe {slug} still {status.State.ToString().ToLowerInvariant()} after {options.WaitLimit}; " +
                                          "see https://www.kaggle.com/code (it cannot be cancelled from the API)");
            await Task.Delay(options.PollInterval, time, cancellationToken);
        }
        if (status.State == AttemptState.Lost)
            throw new KaggleException($"probe {slug} was lost: {status.Detail}");

        var output = await backend.CollectAsync(handle, cancellationToken);
        var report = ProbeReport.Find(output.Directory, output.Log);
        if (report is null)
        {
            var tail = string.Join('\n', output.Log.Split('\n').TakeLast(12));
            throw new KaggleException($"probe {slug} ended {status.State.ToString().ToLowerInvariant()}{(status.Detail is null ? "" : $" ({status.Detail})")} " +
                                      $"without a report; the end of its log:\n{tail}");
        }
        if (status.State != AttemptState.Complete)
            log.Warn($"probe {slug} ended {status.State.ToString().ToLowerInvariant()} ({status.Detail}) but left its report");
        return new ProbeResult(report, slug, account, output.Directory, output.Log);
    }
}
