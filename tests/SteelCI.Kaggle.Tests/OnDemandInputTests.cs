using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Kaggle.Backend;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Tests;

/// <summary>
/// A stored input comes to the kaggle backend as its release's manifest in memory and a way to fetch its bytes: the
/// dataset key is read from the manifest, so an account that holds the dataset never has the release downloaded.
/// </summary>
public sealed class OnDemandInputTests
{
    private static Manifest ManifestOf(string folder) => new()
    {
        Pipeline = "severstal", Stage = "images", Entry = "prepare", Status = OutputStatus.Complete, ContentKey = new string('b', 64),
        Files = Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal)
            .Select(f => new ManifestFile(Path.GetFileName(f), Sha256.OfFile(f), new FileInfo(f).Length)).ToList(),
        Progress = new Progress(1, 1),
        Lineage = new Lineage { TrainerHash = new string('9', 64), SteelciVersion = "0.1.0" },
        Runtime = new RuntimeInfo("0.107.0", "2.10.0", "cpu", 1, "linux"),
        CreatedUtc = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public async Task An_input_the_account_holds_as_a_dataset_is_never_downloaded_and_one_it_lacks_is_fetched_once()
    {
        await using var h = await Harness.StartAsync();
        var backend = new KaggleBackend([h.Alice(), h.Bob()], new KaggleBackendOptions { Workspace = h.Workspace, DatasetPollInterval = TimeSpan.FromSeconds(5) }, h.Time, h.Log);
        Assert.True(backend.FetchesSourcesOnDemand("kaggle"));
        var eager = BackendTests.Package(h.Workspace, "sev-seg-aaaaaaaa-a1-00001", accelerator: "cpu");
        var data = eager.Sources[1].LocalPath;
        var manifest = ManifestOf(data);
        File.WriteAllText(Path.Combine(data, Manifest.FileName), Json.Serialize(manifest)); // a release on disk, as a store fetches it
        var onDisk = eager.Sources[1] with { Manifest = null };
        // Alice gets the dataset from a release on disk: the key is read from its manifest.json.
        await h.Drive(backend.SubmitAsync(eager with { Sources = [eager.Sources[0], onDisk], Account = "alice" }, CancellationToken.None));
        var uploaded = backend.BytesUploaded;

        var fetches = 0;
        var onDemand = new KernelSource("images", "", onDisk.ContentKey)
        {
            Manifest = manifest,
            Fetch = _ => { Interlocked.Increment(ref fetches); return Task.FromResult(data); },
        };
        Assert.Equal(DatasetPublisher.SlugFor(onDisk), DatasetPublisher.SlugFor(onDemand)); // the same key from memory as from the file
        var lazy = BackendTests.Package(h.Workspace, "sev-seg-aaaaaaaa-a2-00002", accelerator: "cpu");
        await h.Drive(backend.SubmitAsync(lazy with { Sources = [lazy.Sources[0], onDemand], Account = "alice" }, CancellationToken.None));

        Assert.Equal(0, fetches); // alice holds it: nothing downloaded
        Assert.Equal(uploaded, backend.BytesUploaded);

        var third = BackendTests.Package(h.Workspace, "sev-seg-aaaaaaaa-a3-00003", accelerator: "cpu");
        await h.Drive(backend.SubmitAsync(third with { Sources = [third.Sources[0], onDemand], Account = "bob" }, CancellationToken.None));

        Assert.Equal(1, fetches); // bob lacks it: fetched once, to upload it
        Assert.Contains(DatasetPublisher.SlugFor(onDemand), h.Server.State.DatasetRefs("bob").Select(r => r.Split('/').Last()));
    }
}
