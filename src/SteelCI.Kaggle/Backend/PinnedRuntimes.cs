using System.Collections.Concurrent;
using SteelCI.Kaggle.Api;
using SteelCI.Kernels;

namespace SteelCI.Kaggle.Backend;

public enum RuntimeState { Missing, Preparing, Ready, Failed }

/// <summary>An account's pinned CUDA runtime kernel: its slug, where it stands, and Kaggle's message when it failed.</summary>
public sealed record RuntimeStatus(string Owner, string Slug, string Libtorch, RuntimeState State, int? Version = null, string? Detail = null);

/// <summary>
/// The pinned CUDA runtime per account (<see cref="PinnedRuntime"/>): a one-off private kernel with internet on, pushed
/// once (<see cref="PrepareAsync"/>), whose output training kernels of that account mount when it completed
/// (<see cref="ReadyAsync"/>). Its slug is content-addressed, so a new libtorch version or index is a new kernel.
/// </summary>
public sealed class PinnedRuntimes(KaggleBackendOptions options, IKaggleLog log)
{
    private readonly ConcurrentDictionary<string, string> _ready = new(StringComparer.Ordinal);

    public string ScriptFor(string libtorch) => PinnedRuntime.Script(libtorch, options.TorchIndex, options.PypiIndex);

    public string SlugFor(string libtorch) => PinnedRuntime.KernelSlug(ScriptFor(libtorch), libtorch);

    public async Task<RuntimeStatus> StatusAsync(KaggleClient client, string owner, string libtorch, CancellationToken cancellationToken)
    {
        var slug = SlugFor(libtorch);
        // Listed, not asked by GetKernel: Kaggle has answered GetKernel on a never-created slug with a 500 (kaggle-api.md
        // §4.1), which the client would retry; the account's own list (group PROFILE) answers "not there" plainly.
        var listed = await client.ListKernelsAsync(new ListKernelsRequest { Group = "PROFILE", Search = slug, PageSize = 20 }, cancellationToken);
        var kernel = listed.Kernels?.FirstOrDefault(k => k.Slug == slug || k.Ref?.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() == slug);
        if (kernel is null)
            return new RuntimeStatus(owner, slug, libtorch, RuntimeState.Missing);
        var version = kernel.CurrentVersionNumber;
        var status = await client.GetKernelSessionStatusAsync(owner, slug, version, cancellationToken);
        var state = status.Status switch
        {
            KernelWorkerStatus.Complete => RuntimeState.Ready,
            KernelWorkerStatus.Queued or KernelWorkerStatus.Running or KernelWorkerStatus.NewScript or KernelWorkerStatus.CancelRequested => RuntimeState.Preparing,
            _ => RuntimeState.Failed,
        };
        return new RuntimeStatus(owner, slug, libtorch, state, version, status.FailureMessage);
    }

    /// <summary>The runtime kernel's slug when it completed on this account, else null (the launcher then tries the image's torch).</summary>
    public async Task<string?> ReadyAsync(KaggleClient client, string owner, string libtorch, CancellationToken cancellationToken)
    {
        var key = $"{client.Account.Name}/{SlugFor(libtorch)}";
        if (_ready.TryGetValue(key, out var ready))
            return ready;
        var status = await StatusAsync(client, owner, libtorch, cancellationToken);
        if (status.State != RuntimeState.Ready)
            return null;
        log.Info($"account {client.Account.Name}: gpu kernels mount the pinned CUDA runtime {owner}/{status.Slug} (libtorch {libtorch}, CUDA {PinnedRuntime.Cuda})");
        return _ready[key] = status.Slug;
    }

    /// <summary>Pushes the runtime kernel unless the account has it ready or on its way; a failed one gets a new version.</summary>
    public async Task<RuntimeStatus> PrepareAsync(KaggleClient client, string owner, string libtorch, CancellationToken cancellationToken)
    {
        var status = await StatusAsync(client, owner, libtorch, cancellationToken);
        if (status.State is RuntimeState.Ready or RuntimeState.Preparing)
            return status;
        var script = ScriptFor(libtorch);
        var response = await client.SaveKernelAsync(new SaveKernelRequest
        {
            Slug = $"{owner}/{status.Slug}",
            NewTitle = status.Slug, // the slug is its own slugified title
            Text = script,
            Language = "python",
            KernelType = "script",
            IsPrivate = true,
            EnableGpu = false, // fetching and unpacking needs no GPU quota
            EnableInternet = true,
            SessionTimeoutSeconds = (int)options.RuntimeSessionLimit.TotalSeconds,
        }, cancellationToken);
        log.Info($"account {client.Account.Name}: pushed the pinned CUDA runtime kernel {owner}/{status.Slug} version {response.VersionNumber} " +
                 $"(libtorch {libtorch}+{PinnedRuntime.CudaTag}, internet on, CPU)");
        return status with { State = RuntimeState.Preparing, Version = response.VersionNumber ?? 1, Detail = null };
    }
}
