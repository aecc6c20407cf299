using SteelCI.Archives;

namespace SteelCI.Kaggle.Fake;

/// <summary>datasets.DatasetApiService and blobs.BlobApiService: uploads, datasets and their processing states.</summary>
internal sealed class FakeDatasetService(FakeKaggleState state, FakeKaggleOptions options, string dataDirectory, Func<string> baseUrl)
{
    private static readonly string[] Stages = [null!, "BLOBS_RECEIVED", "BLOBS_DECOMPRESSED", "BLOBS_COPIED_TO_SDS", "READY"];

    public FakeResult Handle(string method, string user, FakeRequest request) => method switch
    {
        "StartBlobUpload" => StartUpload(user, request),
        "CreateDataset" => Create(user, request),
        "CreateDatasetVersion" => CreateVersion(user, request),
        "GetDatasetStatus" => Status(user, request),
        _ => FakeResult.NotFound($"method {method}"),
    };

    public bool IsVisible(string user, string source)
    {
        var parts = source.Split('/');
        return parts.Length is 2 or 3 && parts[0] == user && state.Datasets.ContainsKey($"{parts[0]}/{parts[1]}");
    }

    /// <summary>The dataset's files as a read-only folder (materialized once per version).</summary>
    public FakeMountedDataset Mount(string source)
    {
        var parts = source.Split('/');
        var dataset = state.Datasets[$"{parts[0]}/{parts[1]}"];
        var version = parts.Length == 3 && int.TryParse(parts[2], out var n) ? dataset.Versions[n - 1] : dataset.Versions[^1];
        if (version.MountedAt is null)
        {
            var root = Path.Combine(dataDirectory, "mounts", dataset.Owner, dataset.Slug, $"v{version.Number}");
            foreach (var (relative, blob) in version.Files)
            {
                var target = Path.Combine(root, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(blob.Path, target, overwrite: true);
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
            Directory.CreateDirectory(root);
            version.MountedAt = root;
        }
        return new FakeMountedDataset(dataset.Owner, dataset.Slug, version.MountedAt);
    }

    private FakeResult StartUpload(string user, FakeRequest request)
    {
        var name = request.String("name");
        var length = request.Long("contentLength") ?? 0; // 0 is the proto default, so the SDK leaves it out for an empty file
        if (string.IsNullOrEmpty(name) || length < 0)
            return FakeResult.BadRequest("name is required and contentLength must not be negative");
        var id = Guid.NewGuid().ToString("N");
        var path = Path.Combine(dataDirectory, "blobs", id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        var blob = new FakeBlob { Id = id, Token = "blob-" + id[..16], Owner = user, Name = name, Length = length, Path = path };
        state.BlobsById[id] = blob;
        state.BlobsByToken[blob.Token] = blob;
        return FakeResult.Ok(new { token = blob.Token, createUrl = $"{baseUrl()}fake-upload/{id}?upload_id={id}" });
    }

    private FakeResult Create(string user, FakeRequest request)
    {
        var owner = request.String("ownerSlug") ?? ""; // [G] not defaulted to the caller (the CLI always sends it)
        var slug = request.String("slug") ?? "";
        var title = request.String("title") ?? "";
        if (owner != user)
            return FakeResult.Error(403, $"Permission 'datasets.create' was denied for owner {owner}", "PERMISSION_DENIED");
        if (slug.Length is < 6 or > 50 || FakeKernelService.Slugify(slug) != slug)
            return FakeResult.Ok(new { status = "error", error = "The dataset slug must be 6 to 50 characters of a-z, 0-9 and dashes" });
        if (title.Length is < 6 or > 50)
            return FakeResult.Ok(new { status = "error", error = "The dataset title must be 6 to 50 characters" });
        if (state.Datasets.ContainsKey($"{owner}/{slug}")) // 409, as kagglehub expects it (kaggle-api.md §8, datasets_helpers.py)
            return FakeResult.Error(409, $"The requested slug {slug} is already in use", "ALREADY_EXISTS");
        if (!TryFiles(user, request, out var files, out var refusal))
            return FakeResult.Ok(new { status = "error", error = refusal });
        var dataset = new FakeDataset { Owner = owner, Slug = slug, Title = title };
        var (tree, failure) = Unzip(files!);
        dataset.Versions.Add(new FakeDatasetVersion { Number = 1, CreatedAt = options.Time.GetUtcNow(), Files = tree, Failure = failure });
        state.Datasets[$"{owner}/{slug}"] = dataset;
        return FakeResult.Ok(new { @ref = $"{owner}/{slug}", url = $"https://www.kaggle.com/datasets/{owner}/{slug}", status = "ok" });
    }

    private FakeResult CreateVersion(string user, FakeRequest request)
    {
        var key = $"{request.String("ownerSlug")}/{request.String("datasetSlug")}";
        if (!state.Datasets.TryGetValue(key, out var dataset) || dataset.Owner != user)
            return FakeResult.NotFound($"dataset {key}");
        if (Phase(dataset) < Stages.Length - 1)
            return FakeResult.Error(403, "The previous version of this dataset is still being processed", "PERMISSION_DENIED");
        var body = request.Object("body") ?? FakeRequest.Parse("{}"); // the files are in body, never at the top level
        if (!TryFiles(user, body, out var files, out var refusal))
            return FakeResult.Ok(new { status = "error", error = refusal });
        var (tree, failure) = Unzip(files!);
        dataset.Versions.Add(new FakeDatasetVersion { Number = dataset.Versions.Count + 1, CreatedAt = options.Time.GetUtcNow(), Files = tree, Failure = failure });
        return FakeResult.Ok(new { @ref = key, url = $"https://www.kaggle.com/datasets/{key}", status = "ok" });
    }

    private FakeResult Status(string user, FakeRequest request)
    {
        var key = $"{request.String("ownerSlug")}/{request.String("datasetSlug")}";
        if (!state.Datasets.TryGetValue(key, out var dataset) || dataset.Owner != user)
            return FakeResult.NotFound($"dataset {key}");
        var phase = Phase(dataset);
        // An archive that cannot be unpacked fails at the decompression step [G: the service's reaction is unknown].
        if (dataset.Versions[^1].Failure is not null && phase >= 2)
            return FakeResult.Ok(new { status = "FAILED" });
        return FakeResult.Ok(new { status = Stages[phase] });
    }

    /// <summary>
    /// Every uploaded <c>.zip</c> is unpacked into the dataset's tree in its place, as Kaggle does (kaggle-api.md §3.1,
    /// §8: kagglehub uploads a folder of more than 50 files as one archive.zip and relies on it). Entries that escape
    /// their folder or links make the version FAILED [G]; unpacked files keep no execute bits (mounts are read-only).
    /// </summary>
    private (Dictionary<string, FakeBlob> Tree, string? Failure) Unzip(Dictionary<string, FakeBlob> files)
    {
        var tree = new Dictionary<string, FakeBlob>(StringComparer.Ordinal);
        foreach (var (path, blob) in files)
        {
            if (!path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                tree[path] = blob;
                continue;
            }
            var folder = Path.Combine(dataDirectory, "unzipped", $"{blob.Id}-{Guid.NewGuid():N}");
            var prefix = path.Contains('/') ? path[..(path.LastIndexOf('/') + 1)] : "";
            IReadOnlyList<string> entries;
            try
            {
                entries = SafeUnpacker.Unpack(blob.Path, folder, path);
            }
            catch (UnsafeArchiveException error)
            {
                return (tree, error.Message);
            }
            foreach (var entry in entries)
            {
                var unpacked = Path.Combine(folder, entry);
                tree[prefix + entry] = new FakeBlob
                {
                    Id = $"{blob.Id}/{entry}", Token = blob.Token, Owner = blob.Owner, Name = Path.GetFileName(entry),
                    Length = new FileInfo(unpacked).Length, Path = unpacked, Received = new FileInfo(unpacked).Length,
                };
            }
        }
        return (tree, null);
    }

    private int Phase(FakeDataset dataset)
    {
        var elapsed = options.Time.GetUtcNow() - dataset.Versions[^1].CreatedAt;
        if (options.DatasetProcessingTime <= TimeSpan.Zero || elapsed >= options.DatasetProcessingTime)
            return Stages.Length - 1;
        return (int)(elapsed / options.DatasetProcessingTime * (Stages.Length - 1));
    }

    /// <summary>Files (top level) and directories (a tree) of uploaded blobs; every token known, owned and complete.</summary>
    private bool TryFiles(string user, FakeRequest request, out Dictionary<string, FakeBlob>? files, out string? refusal)
    {
        files = new Dictionary<string, FakeBlob>(StringComparer.Ordinal);
        refusal = null;
        var pending = new Stack<(string Prefix, FakeRequest Node)>();
        pending.Push(("", request));
        while (pending.Count > 0)
        {
            var (prefix, node) = pending.Pop();
            foreach (var file in node.Objects("files"))
            {
                var token = file.String("token") ?? "";
                if (!state.BlobsByToken.TryGetValue(token, out var blob) || blob.Owner != user)
                {
                    refusal = $"Unknown upload token {token}";
                    return false;
                }
                if (!blob.Complete)
                {
                    refusal = $"The upload of {blob.Name} is incomplete ({blob.Received} of {blob.Length} bytes)";
                    return false;
                }
                files[prefix + blob.Name] = blob;
            }
            foreach (var directory in node.Objects("directories"))
                pending.Push((prefix + directory.String("name") + "/", directory));
        }
        if (files.Count == 0)
            refusal = "A dataset needs at least one file";
        return files.Count > 0;
    }
}
