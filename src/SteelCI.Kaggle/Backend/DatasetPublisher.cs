using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using SteelCI.Contracts;
using SteelCI.Archives;
using SteelCI.Hashing;
using SteelCI.Kaggle.Api;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Backend;

/// <summary>
/// Uploads each kernel source once per account as a private, content-addressed dataset
/// (<c>steelci-{mount}-{key16}</c>) and reuses it while a dataset with that slug exists. Bytes sent are counted.
/// A source that goes up as one zip is packed once for every account that needs it while this publisher lives (one
/// run or tick); the zips are deleted when it is disposed.
/// </summary>
public sealed class DatasetPublisher(KaggleBackendOptions options, TimeProvider time, IKaggleLog log) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _ready = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<(string Path, long Bytes)>>> _archives = new(StringComparer.Ordinal);

    /// <summary>The one task for <paramref name="key"/>: started by the first caller, shared by the others; one that failed is started again.</summary>
    private static Task<T> Once<T>(ConcurrentDictionary<string, Lazy<Task<T>>> tasks, string key, Func<Task<T>> start)
    {
        while (true)
        {
            var entry = tasks.GetOrAdd(key, _ => new Lazy<Task<T>>(start));
            if (entry.IsValueCreated && (entry.Value.IsFaulted || entry.Value.IsCanceled))
            {
                tasks.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, entry));
                continue;
            }
            return entry.Value;
        }
    }
    private long _bytesUploaded;

    public long BytesUploaded => Interlocked.Read(ref _bytesUploaded);

    /// <summary>
    /// The source's content key, refined by what its manifest says a consumer reads when it is a SteelCI release
    /// (partials share a key): status, progress, every file's hash, metrics and thresholds. Not the manifest's bytes:
    /// its creation time and runtime change on every run, and a forced rerun that made the same files must reuse the
    /// dataset the account already holds.
    /// </summary>
    public static string KeyOf(KernelSource source)
    {
        var key = string.IsNullOrEmpty(source.ContentKey) ? Sha256.OfDirectory(source.LocalPath) : source.ContentKey;
        var manifest = source.Manifest ?? ManifestIn(source.LocalPath);
        if (manifest is null)
            return key;
        var text = new StringBuilder(key).Append('\n').Append(manifest.Status).Append(' ')
            .Append(manifest.Progress.EpochsDone).Append('/').Append(manifest.Progress.EpochsTotal).Append('\n');
        foreach (var file in manifest.Files.OrderBy(f => f.Path, StringComparer.Ordinal))
            text.Append(file.Sha256).Append(' ').Append(file.Bytes).Append(' ').Append(file.Path).Append('\n');
        foreach (var (kind, values) in new[] { ("metric", manifest.Metrics), ("threshold", manifest.Thresholds) })
            foreach (var (name, value) in values.OrderBy(m => m.Key, StringComparer.Ordinal))
                text.Append(kind).Append(' ').Append(name).Append('=').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return Sha256.OfText(text.ToString());
    }

    /// <summary>The manifest.json of a local folder, when it has one (a source passed with its bytes).</summary>
    private static Manifest? ManifestIn(string folder)
    {
        var path = Path.Combine(folder, Manifest.FileName);
        return folder.Length > 0 && File.Exists(path) ? Json.Read<Manifest>(path) : null;
    }

    public static string SlugFor(KernelSource source)
    {
        var mount = new string(source.Mount.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        if (mount.StartsWith("steelci-", StringComparison.Ordinal))
            mount = mount["steelci-".Length..];
        if (mount.Length > 24)
            mount = mount[..24].TrimEnd('-');
        return $"steelci-{(mount.Length == 0 ? "input" : mount)}-{KeyOf(source)[..16]}";
    }

    /// <summary>The dataset slug (READY) holding this source in the client's account.</summary>
    public Task<string> EnsureAsync(KaggleClient client, string owner, KernelSource source, CancellationToken cancellationToken)
    {
        var slug = SlugFor(source);
        return Once(_ready, $"{client.Account.Name}/{slug}", () => PublishAsync(client, owner, slug, source, cancellationToken)); // a failed upload is tried again
    }

    private async Task<string> PublishAsync(KaggleClient client, string owner, string slug, KernelSource source, CancellationToken cancellationToken)
    {
        var existing = await StatusAsync(client, owner, slug, cancellationToken);
        if (existing is null)
        {
            log.Info($"account {client.Account.Name}: uploading {source.Mount} as dataset {owner}/{slug}");
            var request = await UploadAsync(client, owner, slug, source, cancellationToken);
            // Each create whose answer is lost is checked before the next; a second lost answer is no reason to give up
            // (the fault run found that the one repeat was not guarded).
            for (var create = 1; ; create++)
            {
                try
                {
                    await CreateAsync(client, request, cancellationToken);
                    break;
                }
                catch (KaggleTransientException error) when (error.OutcomeUnknown && create < MaxCreates)
                {
                    log.Warn($"{error.Message}; checking whether {owner}/{slug} was created");
                    if (await StatusAsync(client, owner, slug, cancellationToken) is not null)
                        break;
                }
            }
        }
        else
            log.Info($"account {client.Account.Name}: reusing dataset {owner}/{slug} ({source.Mount})");
        await WaitReadyAsync(client, owner, slug, cancellationToken);
        return slug;
    }

    /// <summary>
    /// CreateDataset; a 409 means the slug exists already (kagglehub reads it so, kaggle-api.md §8): a content-addressed
    /// slug holds the same bytes, created by an earlier run or by a push whose answer was lost, so it is waited for.
    /// </summary>
    /// <summary>CreateDataset calls per dataset at most, each after a check that the last one did not act.</summary>
    private const int MaxCreates = 3;

    private async Task CreateAsync(KaggleClient client, CreateDatasetRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await client.CreateDatasetAsync(request, cancellationToken);
        }
        catch (KaggleConflictException error)
        {
            log.Info($"{error.Message}; the content-addressed dataset {request.OwnerSlug}/{request.Slug} is used as it is");
        }
    }

    private static async Task<DatabundleVersionStatus?> StatusAsync(KaggleClient client, string owner, string slug, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetDatasetStatusAsync(owner, slug, cancellationToken)).Status;
        }
        catch (KaggleNotFoundException)
        {
            return null;
        }
    }

    private async Task WaitReadyAsync(KaggleClient client, string owner, string slug, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.DatasetWaitLimit;
        var wait = options.DatasetFirstPoll;
        while (true)
        {
            var status = await StatusAsync(client, owner, slug, cancellationToken);
            switch (status)
            {
                case DatabundleVersionStatus.Ready:
                    return;
                case DatabundleVersionStatus.Failed or DatabundleVersionStatus.Deleted:
                    throw new KaggleException($"account {client.Account.Name}: dataset {owner}/{slug} is {status}; delete it on kaggle.com and run again");
                case null:
                    throw new KaggleException($"account {client.Account.Name}: dataset {owner}/{slug} vanished while processing");
            }
            if (time.GetUtcNow() >= deadline)
                throw new KaggleException($"account {client.Account.Name}: dataset {owner}/{slug} still {status} after {options.DatasetWaitLimit}; run again later");
            log.Info($"account {client.Account.Name}: dataset {owner}/{slug} is {status}; waiting");
            await Task.Delay(wait, time, cancellationToken);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, options.DatasetPollInterval.Ticks));
        }
    }

    /// <summary>kagglehub zips a folder of more than this many files into one archive.zip (kaggle-api.md §8).</summary>
    public const int MaxLooseFiles = 50;

    /// <summary>The zip's name, as kagglehub's; Kaggle unpacks an uploaded zip into the dataset's tree.</summary>
    public const string ArchiveName = "archive.zip";

    /// <summary>
    /// A flat folder of at most <see cref="MaxLooseFiles"/> files goes up file by file; anything else (more files, or
    /// any subfolder) as one <see cref="ArchiveName"/> that Kaggle unpacks, as kagglehub and the CLI's --dir-mode zip
    /// do. The CLI never sends <c>directories</c>, so SteelCI does not either. Execute bits do not survive (the
    /// launcher restores the bundle's from steelci-bundle.json).
    /// </summary>
    private async Task<CreateDatasetRequest> UploadAsync(KaggleClient client, string owner, string slug, KernelSource source, CancellationToken cancellationToken)
    {
        var uploader = new BlobUploader(client);
        var folder = await source.LocalPathAsync(cancellationToken); // fetched from the store only now, when it must go up
        var all = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToList();
        if (all.Count == 0)
            throw new KaggleException($"input {source.Mount} ({folder}) is empty; Kaggle datasets need at least one file");
        var files = new List<DatasetNewFile>();
        if (all.Count <= MaxLooseFiles && all.All(f => Path.GetDirectoryName(f) == Path.TrimEndingDirectorySeparator(folder)))
        {
            foreach (var file in all.Order(StringComparer.Ordinal))
            {
                files.Add(new DatasetNewFile { Token = await uploader.UploadAsync(file, Path.GetFileName(file), cancellationToken) });
                Interlocked.Add(ref _bytesUploaded, new FileInfo(file).Length);
            }
        }
        else
        {
            var (zip, bytes) = await PackOnceAsync(slug, folder, all, source.Mount);
            files.Add(new DatasetNewFile { Token = await uploader.UploadAsync(zip, ArchiveName, cancellationToken) });
            Interlocked.Add(ref _bytesUploaded, bytes);
        }
        var title = $"SteelCI {source.Mount} {KeyOf(source)[..12]}";
        return new CreateDatasetRequest
        {
            OwnerSlug = owner,
            Slug = slug,
            Title = title.Length > 50 ? title[..50] : title,
            LicenseName = "other",
            IsPrivate = true,
            Subtitle = "SteelCI kernel input (content-addressed)",
            Files = files,
        };
    }

    /// <summary>The source's zip, packed by the first account that needs it; the others upload the same file.</summary>
    private Task<(string Path, long Bytes)> PackOnceAsync(string slug, string folder, IReadOnlyList<string> all, string mount)
    {
        var key = $"{slug}-L{options.ArchiveLevel}";
        return Once(_archives, key, () => Task.Run(() =>
        {
            var zip = Path.Combine(options.Workspace, "kaggle", "archives", key + ".zip");
            var bytes = ZipPacker.Pack(folder, zip, options.ArchiveLevel);
            var raw = all.Sum(f => new FileInfo(f).Length);
            log.Info($"{all.Count} files of {mount} packed into one {ArchiveName} ({bytes:N0} of {raw:N0} bytes, level {options.ArchiveLevel})");
            return (zip, bytes);
        }));
    }

    /// <summary>Deletes the zips this publisher packed.</summary>
    public void Dispose()
    {
        foreach (var entry in _archives.Values.Where(e => e.IsValueCreated && e.Value.IsCompletedSuccessfully))
            File.Delete(entry.Value.Result.Path);
        _archives.Clear();
    }
}
