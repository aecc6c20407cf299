using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SteelCI.Contracts;

namespace SteelCI.Kaggle.Fake;

/// <summary>kernels.KernelsApiService: push, status lifecycle, outputs, pull, list, delete, quota.</summary>
internal sealed partial class FakeKernelService(FakeKaggleState state, FakeKaggleOptions options, IFakeKernelRunner runner,
    FakeDatasetService datasets, string dataDirectory, Func<string> baseUrl)
{
    private TimeProvider Time => options.Time;

    public FakeResult Handle(string method, string user, FakeRequest request) => method switch
    {
        "SaveKernel" => Save(user, request),
        "GetKernelSessionStatus" => Status(user, request),
        "ListKernelSessionOutput" => Output(user, request),
        "GetKernel" => Get(user, request),
        "ListKernels" => List(user, request),
        "DeleteKernel" => Delete(user, request),
        "GetAcceleratorQuotaStatistics" => Quota(user),
        _ => FakeResult.NotFound($"method {method}"),
    };

    /// <summary>Moves every version along its lifecycle; called under the state lock before each request.</summary>
    public void Advance()
    {
        var now = Time.GetUtcNow();
        foreach (var kernel in state.AllKernels().ToList())
            foreach (var version in kernel.Versions.Where(v => v.IsActive))
                Advance(kernel, version, now);
        foreach (var user in state.AllKernels().Select(k => k.Owner).Distinct().ToList())
            EndWhenQuotaIsSpent(user, now);
    }

    /// <summary>
    /// [G] A running GPU session ends (ERROR) once its account's weekly GPU quota is spent. Kaggle's docs say the quota
    /// is a weekly allowance (kaggle-api.md §4.3); what happens to a session that reaches it is not documented, and the
    /// fake takes the reading that costs the client most.
    /// </summary>
    private void EndWhenQuotaIsSpent(string user, DateTimeOffset now)
    {
        if (state.WithoutGpu.Contains(user))
            return;
        var (used, reserved) = GpuUse(user, now);
        var over = used + reserved - options.GpuQuota;
        if (over < TimeSpan.Zero)
            return;
        var running = state.AllKernels().Where(k => k.Owner == user).SelectMany(k => k.Versions)
            .Where(v => v.Gpu && v.Phase == VersionPhase.Running).ToList();
        if (running.Count == 0)
            return;
        var endedAt = now - over / running.Count; // when the allowance ran out, shared by the sessions that spent it
        foreach (var version in running)
        {
            version.Run!.Kill();
            Finish(version, VersionPhase.Error, endedAt < version.StartedAt!.Value ? version.StartedAt.Value : endedAt,
                FakeKaggleMessages.QuotaSpent);
        }
    }


    private void Advance(FakeKernel kernel, FakeKernelVersion version, DateTimeOffset now)
    {
        if (version.Phase == VersionPhase.Queued && now - version.CreatedAt >= options.QueueTime)
        {
            var work = Path.Combine(dataDirectory, "runs", kernel.Owner, kernel.Slug, $"v{version.Number}");
            Directory.CreateDirectory(work);
            var mounted = version.DatasetSources.Select(datasets.Mount)
                .Concat(version.CompetitionSources.Select(c => new FakeMountedDataset("competitions", c, state.Competitions[c])))
                .Select(m => options.NestedInputLayout ? m with { Mount = m.Owner == "competitions" ? $"competitions/{m.Slug}" : $"datasets/{m.Owner}/{m.Slug}" } : m)
                .Concat(version.KernelSources.Select(KernelOutput).OfType<FakeMountedDataset>())
                .ToList();
            version.Run = runner.Start(new FakeRunRequest(kernel.Owner, kernel.Slug, version.Number, version.Source, version.Gpu,
                version.Timeout, mounted, work));
            version.Phase = VersionPhase.Running;
            version.StartedAt = now;
        }
        if (version.Phase != VersionPhase.Running)
            return;
        var result = version.Run!.Poll(out var failure);
        if (result == FakeRunState.Running)
        {
            if (version.Timeout > TimeSpan.Zero && now - version.StartedAt >= version.Timeout)
            {
                version.Run.Kill();
                Finish(version, VersionPhase.Error, now,
                    $"Your notebook tried to run longer than its session timeout of {version.Timeout.TotalSeconds:0} seconds");
            }
            return;
        }
        Finish(version, result == FakeRunState.Complete ? VersionPhase.Complete : VersionPhase.Error, now, failure);
    }

    /// <summary>
    /// A kernel source: the output of that kernel's latest complete version, mounted as <c>/kaggle/input/{slug}</c> (nested:
    /// <c>notebooks/{owner}/{slug}</c>); none while no version has completed (the input is then simply missing).
    /// </summary>
    private FakeMountedDataset? KernelOutput(string reference)
    {
        var kernel = state.Kernels.GetValueOrDefault(reference.Trim('/'));
        var done = kernel?.Versions.LastOrDefault(v => v.Phase == VersionPhase.Complete && v.Run is not null);
        if (kernel is null || done is null)
            return null;
        var mounted = new FakeMountedDataset(kernel.Owner, kernel.Slug, done.Run!.OutputDirectory);
        return options.NestedInputLayout ? mounted with { Mount = $"notebooks/{kernel.Owner}/{kernel.Slug}" } : mounted;
    }

    private static void Finish(FakeKernelVersion version, VersionPhase phase, DateTimeOffset now, string? failure)
    {
        version.Phase = phase;
        version.EndedAt = now;
        version.FailureMessage = phase == VersionPhase.Error ? failure ?? "the kernel failed" : null;
    }

    private FakeResult Save(string user, FakeRequest request)
    {
        var text = request.String("text");
        if (string.IsNullOrEmpty(text))
            return FakeResult.Ok(new { error = "Kernel text is required" });
        var language = request.String("language") ?? "python";
        if (language is not ("python" or "r" or "rmarkdown"))
            return FakeResult.Ok(new { error = $"Invalid language {language}" });
        var gpu = request.Bool("enableGpu") == true || !string.IsNullOrEmpty(request.String("machineShape"));
        if (gpu && state.WithoutGpu.Contains(user))
            return FakeResult.Ok(new { error = "GPU is not available for this account. Phone verification is required." }); // [G] wording
        var active = state.AllKernels().Where(k => k.Owner == user).SelectMany(k => k.Versions).Where(v => v.IsActive);
        var limit = gpu ? options.GpuSessionLimit : options.CpuSessionLimit;
        if (active.Count(v => v.Gpu == gpu) >= limit)
        {
            var cap = $"Maximum batch {(gpu ? "GPU" : "CPU")} session count of {limit} reached.";
            // Both forms are real (kaggle-api.md §8): 200 with error (the CLI) and 400 "Bad Request: …" (kaggle-cli#185).
            return options.SessionCapAsBadRequest ? FakeResult.BadRequest("Bad Request: " + cap) : FakeResult.Ok(new { error = cap });
        }
        var quick = request.Enum("kernelExecutionType", ExecutionTypes) == "QUICK_SAVE";
        if (gpu && !quick && GpuUse(user, Time.GetUtcNow()) is var (spent, held) && spent + held >= options.GpuQuota)
            return FakeResult.Ok(new { error = FakeKaggleMessages.QuotaRefusal }); // [G] wording, and whether it is 200 + error

        // Unattachable inputs are warnings: the version is created and runs without them (kaggle-api.md §8, CLI kernels_push_cli).
        var datasetSources = request.Strings("datasetDataSources");
        var invalidDatasets = datasetSources.Where(s => !datasets.IsVisible(user, s)).ToList();
        var competitionSources = request.Strings("competitionDataSources");
        var invalidCompetitions = competitionSources.Where(c => !state.Competitions.ContainsKey(c) || !state.AcceptedRules(user, c)).ToList();
        var invalidKernels = request.Strings("kernelDataSources").Where(k => !IsVisibleKernel(user, k)).ToList();
        var invalidModels = request.Strings("modelDataSources").ToList(); // the fake hosts no models

        var kernel = FindForSave(user, request, out var refusal);
        if (refusal is not null)
            return FakeResult.Ok(new { error = refusal });
        var now = Time.GetUtcNow();
        if (kernel is null)
        {
            var title = request.String("newTitle") ?? "";
            if (title.Length < 5)
                return FakeResult.Ok(new { error = "A title of at least 5 characters is required for a new kernel" });
            var slug = Slugify(title);
            if (state.Kernels.ContainsKey($"{user}/{slug}"))
                return FakeResult.Ok(new { error = $"A kernel titled '{title}' already exists" });
            kernel = new FakeKernel { Id = state.NextId(), Owner = user, Slug = slug, Title = title, CreatedAt = now };
            state.Kernels[kernel.Ref] = kernel;
        }
        var version = new FakeKernelVersion
        {
            Number = kernel.Versions.Count + 1,
            CreatedAt = now,
            Source = text,
            Language = language,
            KernelType = request.String("kernelType") ?? "script",
            IsPrivate = request.Bool("isPrivate") ?? true,
            Gpu = gpu,
            Internet = request.Bool("enableInternet") ?? true,
            MachineShape = request.String("machineShape"),
            DatasetSources = datasetSources.Except(invalidDatasets).ToList(),
            CompetitionSources = competitionSources.Except(invalidCompetitions).ToList(),
            KernelSources = request.Strings("kernelDataSources").Except(invalidKernels).ToList(),
            Timeout = TimeSpan.FromSeconds(request.Long("sessionTimeoutSeconds") ?? 0),
            QuickSave = quick,
            Phase = quick ? VersionPhase.Complete : VersionPhase.Queued,
        };
        kernel.Versions.Add(version);
        // The real reply's ref is a path, "/code/{owner}/{slug}" (kaggle-api.md §8, public push logs); error is "" and the
        // lists are present even when empty.
        return FakeResult.Ok(new SaveKernelReply(
            $"/code/{kernel.Ref}", $"https://www.kaggle.com/code/{kernel.Ref}", version.Number, "", kernel.Id, [],
            invalidDatasets, invalidCompetitions, invalidKernels, invalidModels));
    }

    private bool IsVisibleKernel(string user, string reference)
    {
        var kernel = state.Kernels.GetValueOrDefault(reference.Trim('/'));
        return kernel is not null && (kernel.Owner == user || !kernel.Latest.IsPrivate);
    }

    /// <summary>SaveKernel's reply with every field written, empty lists and "" included, as the real reply shows them.</summary>
    private sealed record SaveKernelReply(string Ref, string Url, int VersionNumber, string Error, long KernelId,
        IReadOnlyList<string> InvalidTags, IReadOnlyList<string> InvalidDatasetSources, IReadOnlyList<string> InvalidCompetitionSources,
        IReadOnlyList<string> InvalidKernelSources, IReadOnlyList<string> InvalidModelSources);

    private FakeKernel? FindForSave(string user, FakeRequest request, out string? refusal)
    {
        refusal = null;
        if (request.Long("id") is { } id)
        {
            var byId = state.Kernels.Values.FirstOrDefault(k => k.Id == id);
            if (byId is null || byId.Owner != user)
                refusal = "Kernel not found";
            return byId;
        }
        var slug = request.String("slug");
        if (string.IsNullOrEmpty(slug))
            return null;
        var owner = slug.Split('/')[0];
        if (!slug.Contains('/') || owner != user)
        {
            refusal = "Kernel not found";
            return null;
        }
        return state.Kernels.GetValueOrDefault(slug);
    }

    private FakeResult Status(string user, FakeRequest request)
    {
        if (!TryFind(user, request, out var kernel, out var error))
            return error!;
        var label = request.String("versionLabel");
        FakeKernelVersion version;
        if (label is null)
        {
            version = kernel!.Latest;
            var stale = kernel.Versions.Count > 1 && Time.GetUtcNow() - version.CreatedAt < options.StaleStatusFor;
            if (stale)
                version = kernel.Versions[^2];
        }
        else if (!TryVersion(kernel!, label, out version!, out error))
            return error!;
        return FakeResult.Ok(new { status = Wire(version.Phase), failureMessage = version.FailureMessage });
    }

    private FakeResult Output(string user, FakeRequest request)
    {
        var pageSize = (int)(request.Long("pageSize") ?? options.DefaultOutputPageSize);
        if (pageSize > 500 || pageSize < 0)
            return FakeResult.BadRequest("pageSize must be between 1 and 500");
        if (pageSize == 0)
            pageSize = options.DefaultOutputPageSize;
        if (!TryFind(user, request, out var kernel, out var error))
            return error!;
        var version = kernel!.Latest;
        var label = request.String("versionLabel");
        if (label is not null && !TryVersion(kernel, label, out version!, out error))
            return error!;
        if (version.IsActive || version.Run is null)
            return FakeResult.Ok(new { });

        var root = version.Run.OutputDirectory;
        var files = SavedOutputs(root);
        var start = int.TryParse(request.String("pageToken"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var offset) ? offset : 0;
        var page = files.Skip(start).Take(pageSize).Select(name => new { url = DownloadUrl(Path.Combine(root, name)), fileName = name }).ToList();
        var next = start + pageSize < files.Count ? (start + pageSize).ToString(CultureInfo.InvariantCulture) : null;
        return FakeResult.Ok(new { files = page, log = LogText(version.Run.Log()), nextPageToken = next });
    }

    /// <summary>
    /// What Kaggle saves of /kaggle/working: regular files only; symlinks (to files or folders) and empty folders are lost
    /// (kaggle-api.md §8, tushar-mahalya/kdev [O]); execute bits are lost on the way, as the output URLs carry no mode.
    /// </summary>
    private static List<string> SavedOutputs(string root)
    {
        var files = new List<string>();
        if (!Directory.Exists(root))
            return files;
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(root)]);
        while (pending.Count > 0)
            foreach (var entry in pending.Pop().EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null)
                    continue;
                if (entry is DirectoryInfo directory)
                    pending.Push(directory);
                else
                    files.Add(Path.GetRelativePath(root, entry.FullName).Replace('\\', '/'));
            }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private FakeResult Get(string user, FakeRequest request)
    {
        if (!TryFind(user, request, out var kernel, out var error))
            return error!;
        var latest = kernel!.Latest;
        return FakeResult.Ok(new { metadata = Metadata(kernel), blob = new { source = latest.Source, language = latest.Language, kernelType = latest.KernelType, slug = kernel.Slug } });
    }

    /// <summary>
    /// With <c>group: PROFILE</c> (the CLI's <c>--mine</c>) the caller's own kernels, private ones included; otherwise
    /// public kernels only. [I] "private kernels are likely listed only with PROFILE" (kaggle-api.md §8, CLI
    /// kernels_list): the fake takes the stricter reading so a client that leaves group out cannot pass here.
    /// </summary>
    private FakeResult List(string user, FakeRequest request)
    {
        var filterUser = request.String("user");
        var search = request.String("search");
        var mine = request.Enum("group", ListViewTypes) == "PROFILE";
        var pageSize = (int)Math.Clamp(request.Long("pageSize") ?? 20, 1, 100);
        var visible = state.Kernels.Values
            .Where(k => mine ? k.Owner == user : !k.Latest.IsPrivate)
            .Where(k => filterUser is null || k.Owner == filterUser)
            .Where(k => search is null || k.Slug.Contains(search, StringComparison.OrdinalIgnoreCase) || k.Title.Contains(search, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Ref, StringComparer.Ordinal).ToList();
        var start = int.TryParse(request.String("pageToken"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var offset)
            ? offset
            : ((int)(request.Long("page") ?? 1) - 1) * pageSize;
        var page = visible.Skip(Math.Max(0, start)).Take(pageSize).Select(Metadata).ToList();
        var next = start + pageSize < visible.Count ? (start + pageSize).ToString(CultureInfo.InvariantCulture) : null;
        return FakeResult.Ok(new { kernels = page, nextPageToken = next });
    }

    private FakeResult Delete(string user, FakeRequest request)
    {
        if (!TryFind(user, request, out var kernel, out var error))
            return error!;
        // Whether Kaggle stops a running session when its kernel is deleted is unknown (kaggle-api.md §7/§8): by default
        // it runs on, spending quota and a session slot, unseen by the API; DeleteStopsSession says otherwise.
        if (options.DeleteStopsSession)
            foreach (var version in kernel!.Versions.Where(v => v.IsActive))
            {
                version.Run?.Kill();
                Finish(version, VersionPhase.CancelAcknowledged, Time.GetUtcNow(), null);
            }
        state.Kernels.Remove(kernel!.Ref);
        if (kernel.Versions.Any(v => v.IsActive))
            state.Deleted.Add(kernel);
        return FakeResult.Ok(new { });
    }

    private FakeResult Quota(string user)
    {
        var now = Time.GetUtcNow();
        var refresh = PlatformRules.NextQuotaRefresh(now);
        var (used, reserved) = GpuUse(user, now);
        var refreshText = refresh.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var tpu = new { timeUsed = "0s", timeReserved = "0s", totalTimeAllowed = Seconds(options.TpuQuota) };
        if (state.WithoutGpu.Contains(user)) // gpuQuota absent (kaggle-api.md §8: kaggle-cli quota_view, tests/unit/test_quota.py)
            return FakeResult.Ok(new { quotaRefreshTime = refreshText, tpuQuota = tpu });
        return FakeResult.Ok(new
        {
            quotaRefreshTime = refreshText,
            gpuQuota = new { timeUsed = Seconds(used), timeReserved = Seconds(reserved), totalTimeAllowed = Seconds(options.GpuQuota), hasEverRun = used > TimeSpan.Zero },
            tpuQuota = tpu,
        });
    }

    /// <summary>GPU time of the user's sessions this quota week: ended ones (used) and the elapsed part of running ones (reserved).</summary>
    private (TimeSpan Used, TimeSpan Reserved) GpuUse(string user, DateTimeOffset now)
    {
        var windowStart = PlatformRules.NextQuotaRefresh(now) - PlatformRules.QuotaRefreshPeriod;
        var used = TimeSpan.Zero;
        var reserved = TimeSpan.Zero;
        foreach (var version in state.AllKernels().Where(k => k.Owner == user).SelectMany(k => k.Versions).Where(v => v.Gpu && v.StartedAt is not null))
        {
            var start = version.StartedAt!.Value < windowStart ? windowStart : version.StartedAt.Value;
            var span = (version.EndedAt ?? now) - start;
            if (span <= TimeSpan.Zero)
                continue;
            if (version.EndedAt is null)
                reserved += span;
            else
                used += span;
        }
        return (used, reserved);
    }

    private bool TryFind(string user, FakeRequest request, out FakeKernel? kernel, out FakeResult? error)
    {
        // userName is not filled in from the credentials: the SDK's default is "" (then omitted), and the CLI always
        // splits it out of the kernel ref itself [I]; without it the lookup finds nothing, as it would on Kaggle.
        var owner = request.String("userName") ?? "";
        var slug = request.String("kernelSlug") ?? "";
        kernel = state.Kernels.GetValueOrDefault($"{owner}/{slug}");
        error = null;
        // Unknown, someone else's private kernel, or just created: Kaggle answers 403 to all three.
        if (kernel is null || (kernel.Owner != user && kernel.Latest.IsPrivate)
            || Time.GetUtcNow() - kernel.CreatedAt < options.NotVisibleFor)
        {
            kernel = null;
            error = FakeResult.NotVisible();
            return false;
        }
        return true;
    }

    private static bool TryVersion(FakeKernel kernel, string label, out FakeKernelVersion? version, out FakeResult? error)
    {
        version = null;
        error = null;
        var match = VersionLabel().Match(label);
        if (!match.Success)
        {
            error = label.All(char.IsAsciiDigit) ? FakeResult.NotFound($"version {label}") : FakeResult.BadRequest($"invalid versionLabel '{label}'");
            return false;
        }
        var number = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        version = kernel.Versions.FirstOrDefault(v => v.Number == number);
        if (version is null)
            error = FakeResult.NotFound($"version {label} of {kernel.Ref}");
        return version is not null;
    }

    private object Metadata(FakeKernel kernel)
    {
        var latest = kernel.Latest;
        return new
        {
            id = kernel.Id,
            @ref = kernel.Ref,
            title = kernel.Title,
            author = kernel.Owner,
            slug = kernel.Slug,
            language = latest.Language,
            kernelType = latest.KernelType,
            isPrivate = latest.IsPrivate,
            enableGpu = latest.Gpu,
            enableInternet = latest.Internet,
            machineShape = latest.MachineShape,
            datasetDataSources = latest.DatasetSources,
            currentVersionNumber = latest.Number,
            lastRunTime = latest.StartedAt?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
    }

    private string DownloadUrl(string path)
    {
        if (!state.Downloads.ContainsValue(path))
            state.Downloads[Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(path)))[..24]] = path;
        var id = state.Downloads.First(d => d.Value == path).Key;
        return $"{baseUrl()}fake-output/{id}?sig={id[..8]}";
    }

    private static string LogText(IReadOnlyList<FakeLogEntry> entries)
    {
        var lines = entries.Select(e => JsonSerializer.Serialize(new Dictionary<string, object> { ["stream_name"] = e.Stream, ["time"] = e.Time, ["data"] = e.Data }));
        return "[" + string.Join("\n,", lines) + "]";
    }

    /// <summary>QUEUED is the proto default, so it is left out, as a proto server does.</summary>
    private static string? Wire(VersionPhase phase) => phase switch
    {
        VersionPhase.Queued => null,
        VersionPhase.Running => "RUNNING",
        VersionPhase.Complete => "COMPLETE",
        VersionPhase.Error => "ERROR",
        _ => "CANCEL_ACKNOWLEDGED",
    };

    internal static string Slugify(string title) =>
        NonSlug().Replace(title.Trim().ToLowerInvariant(), "-").Trim('-');

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";

    private static readonly string[] ExecutionTypes = ["KERNEL_EXECUTION_TYPE_UNSPECIFIED", "SAVE_AND_RUN_ALL", "INTER_ACTIVE", "QUICK_SAVE"];
    private static readonly string[] ListViewTypes = ["KERNELS_LIST_VIEW_TYPE_UNSPECIFIED", "PROFILE", "UPVOTED", "EVERYONE",
        "COLLABORATION", "FORK", "BOOKMARKED", "RECENTLY_VIEWED", "PUBLIC_AND_USERS_PRIVATE"];

    [GeneratedRegex("^v([0-9]+)$")]
    private static partial Regex VersionLabel();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonSlug();
}
