using SteelCI.Kaggle.Api;
using SteelCI.Kernels;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Backend;

/// <summary>
/// Writes the Kaggle kernel folder of one attempt (the package's spec with this account's owner and dataset slugs, the launcher rendered from it, kernel-metadata.json in the
/// official CLI's format, so <c>kaggle kernels push -p</c> accepts it) and pushes it exactly once: when a push's
/// outcome is unknown, GetKernel and ListKernels are asked whether the version exists before anything is repeated.
/// </summary>
public sealed class KernelPusher(KaggleBackendOptions options, TimeProvider time, IKaggleLog log)
{
    /// <summary>Pushes of one attempt, each after checking that the previous one left no kernel behind.</summary>
    public const int MaxPushes = 3;

    /// <summary>
    /// A pushed version. <see cref="Refused"/> is set when Kaggle created it without some of its inputs: it was deleted
    /// again, and the attempt is a failure that says which input and what to do.
    /// </summary>
    public sealed record Pushed(string Owner, string Slug, int Version, string Url, string? Refused = null);

    public async Task<Pushed> PushAsync(KaggleClient client, string owner, KernelPackage package,
        IReadOnlyDictionary<string, string> datasetSlugs, string? runtimeKernel, CancellationToken cancellationToken)
    {
        var request = Write(owner, package, datasetSlugs, runtimeKernel);
        for (var push = 1; ; push++)
        {
            try
            {
                var response = await client.SaveKernelAsync(request, cancellationToken);
                var kernel = response.Kernel!;
                return new Pushed(kernel.Owner, kernel.Slug, response.VersionNumber ?? 1, response.Url ?? "");
            }
            catch (KaggleInvalidSourcesException error)
            {
                return new Pushed(error.Kernel.Owner, error.Kernel.Slug, error.Version, "",
                    await DeleteAsync(client, error.Kernel, error.Message, cancellationToken));
            }
            catch (KaggleTransientException error) when (error.OutcomeUnknown && push < MaxPushes)
            {
                log.Warn($"{error.Message}; checking whether {owner}/{package.Slug} was created before pushing again");
                var found = await FindAsync(client, owner, package.Slug, cancellationToken);
                if (found is not null)
                    return found;
                log.Warn($"account {client.Account.Name}: {owner}/{package.Slug} does not exist; pushing again");
            }
        }
    }

    /// <summary>Deletes a version that would run without its inputs (the kernel holds only that version: one slug per attempt).</summary>
    private async Task<string> DeleteAsync(KaggleClient client, KernelRef kernel, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await client.DeleteKernelAsync(kernel.Owner, kernel.Slug, cancellationToken);
            log.Warn($"{reason}; deleted {kernel}");
            // Whether Kaggle ends a deleted kernel's session is unknown (the strict fake lets it run on): never claim it does.
            return $"{reason}. The kernel was deleted again; Kaggle may still run its session, which stops when it looks " +
                "for the missing input (or at its session timeout)";
        }
        catch (KaggleException error)
        {
            log.Warn($"{reason}; deleting {kernel} failed: {error.Message}");
            return $"{reason}. Deleting the kernel failed ({error.Message}): delete it at https://www.kaggle.com/code/{kernel} " +
                "or it runs, and spends quota, until its session timeout";
        }
    }

    /// <summary>
    /// The kernel folder for this account, what is pushed, kept for inspection and for the official CLI: the package's
    /// spec with only the owner and the attached slugs filled in, the launcher rendered from it, kernel-metadata.json.
    /// </summary>
    public SaveKernelRequest Write(string owner, KernelPackage package, IReadOnlyDictionary<string, string> datasetSlugs, string? runtimeKernel = null)
    {
        var folder = Path.Combine(options.Workspace, "kaggle", "kernels", owner, package.Slug);
        KernelMetadata metadata;
        if (File.Exists(Path.Combine(package.Directory, KernelSpec.FileName)))
        {
            var spec = KernelSpec.Read(package.Directory).ForAccount(owner, datasetSlugs);
            if (runtimeKernel is not null)
                spec = spec.WithRuntime(runtimeKernel);
            KernelPackager.Write(folder, spec);
            metadata = KernelMetadata.For(spec, options.GpuMachineShape);
        }
        else
        {
            // A plain script with no spec (the probe): pushed as written, its inputs attached by their slugs.
            Directory.CreateDirectory(folder);
            File.Copy(Path.Combine(package.Directory, package.CodeFile), Path.Combine(folder, package.CodeFile), overwrite: true);
            var mounts = package.Sources.Select(s => new KernelMount { Name = s.Mount, AttachedAs = s.Competition ?? datasetSlugs[s.Mount], Competition = s.Competition }).ToList();
            if (runtimeKernel is not null && package.Accelerator == "gpu")
                mounts.Add(new KernelMount { Name = PinnedRuntime.MountName, AttachedAs = runtimeKernel, KernelOutput = true });
            metadata = KernelMetadata.For(owner, package.Slug, package.CodeFile, package.Accelerator, mounts, options.GpuMachineShape);
        }
        File.WriteAllText(Path.Combine(folder, KernelMetadata.FileName), metadata.ToJson());

        var gpu = package.Accelerator == "gpu";
        return new SaveKernelRequest
        {
            Slug = metadata.Id,
            NewTitle = metadata.Title, // Kaggle derives the ref from the title: the slug is its own slugified title
            Text = File.ReadAllText(Path.Combine(folder, metadata.CodeFile)),
            Language = "python",
            KernelType = "script",
            IsPrivate = true,
            EnableGpu = gpu,
            EnableInternet = false,
            DatasetDataSources = metadata.DatasetSources,
            CompetitionDataSources = metadata.CompetitionSources.Count > 0 ? metadata.CompetitionSources : null,
            KernelDataSources = metadata.KernelSources.Count > 0 ? metadata.KernelSources : null,
            SessionTimeoutSeconds = (int)TimeoutFor(package).TotalSeconds,
            MachineShape = metadata.MachineShape,
        };
    }

    /// <summary>The kernel's <c>sessionTimeoutSeconds</c>: the package's session limit, kept below Kaggle's maximum.</summary>
    public TimeSpan TimeoutFor(KernelPackage package) =>
        package.SessionLimit < options.MaxSession ? package.SessionLimit : options.MaxSession - TimeSpan.FromMinutes(1);

    /// <summary>
    /// The kernel <paramref name="owner"/>/<paramref name="slug"/> if it exists: GetKernel, then ListKernels of the account's
    /// own kernels (<c>group: PROFILE</c>, as the CLI's <c>--mine</c>; private kernels are likely listed only so,
    /// kaggle-api.md §8), <see cref="KaggleBackendOptions.PushChecks"/> times apart, since a new kernel may 403 a while.
    /// </summary>
    public async Task<Pushed?> FindAsync(KaggleClient client, string owner, string slug, CancellationToken cancellationToken, int? checks = null)
    {
        var rounds = checks ?? options.PushChecks;
        for (var check = 1; check <= rounds; check++)
        {
            try
            {
                var kernel = await client.GetKernelAsync(owner, slug, cancellationToken);
                if (kernel.Metadata?.CurrentVersionNumber is { } version)
                    return new Pushed(owner, slug, version, "");
            }
            catch (KaggleNotFoundException)
            {
                // not there, or not visible yet: ask the list too, then wait a little
            }
            // As the CLI's `kernels list --mine --search`: group PROFILE, no user (the caller's own kernels).
            var listed = await client.ListKernelsAsync(new ListKernelsRequest { Group = "PROFILE", Search = slug, PageSize = 20 }, cancellationToken);
            var match = listed.Kernels?.FirstOrDefault(k => k.Slug == slug || SlugOf(k.Ref) == slug);
            if (match is not null)
                return new Pushed(owner, slug, match.CurrentVersionNumber ?? 1, "");
            if (check < rounds)
                await Task.Delay(options.PushCheckInterval, time, cancellationToken);
        }
        return null;
    }

    private static string? SlugOf(string? reference) => reference?.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
}
