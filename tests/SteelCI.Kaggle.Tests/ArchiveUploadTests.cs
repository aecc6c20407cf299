using System.IO.Compression;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Backend;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Tests;

/// <summary>Many files go up as one archive.zip that Kaggle (and the fake) unpacks into the dataset; a flat folder of few
/// files goes file by file; an archive Kaggle cannot unpack safely fails the dataset.</summary>
public sealed class ArchiveUploadTests
{
    private static DatasetPublisher Publisher(Harness h) =>
        new(new KaggleBackendOptions { Workspace = h.Workspace, DatasetPollInterval = TimeSpan.FromSeconds(5) }, h.Time, h.Log);

    private static KernelSource Folder(Harness h, string name, int files, bool nested)
    {
        var root = Directory.CreateDirectory(Path.Combine(h.Workspace, "sources", name)).FullName;
        for (var i = 0; i < files; i++)
        {
            var path = Path.Combine(root, nested ? $"images/{i % 3}/{i:000}.txt" : $"{i:000}.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, string.Concat(Enumerable.Repeat($"image {i} of {name}; ", 200)));
        }
        return new KernelSource(name, root, new string((char)('a' + name.Length % 6), 64));
    }

    [Fact]
    public async Task A_folder_of_more_than_50_files_goes_up_as_one_archive_that_unpacks_into_the_dataset()
    {
        await using var h = await Harness.StartAsync();
        var source = Folder(h, "images", 60, nested: true);
        using var publisher = Publisher(h);

        var slug = await h.Drive(publisher.EnsureAsync(h.Alice(), "alice", source, CancellationToken.None));

        Assert.Equal([DatasetPublisher.ArchiveName], h.Server.State.UploadNames("alice"));
        var files = h.Server.State.DatasetFiles("alice", slug);
        Assert.Equal(60, files.Count);
        Assert.Contains("images/2/059.txt", files);
        Assert.DoesNotContain(DatasetPublisher.ArchiveName, files); // unpacked in its place, not kept beside the tree
        var raw = Directory.EnumerateFiles(source.LocalPath, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(publisher.BytesUploaded < raw / 5, $"{publisher.BytesUploaded} bytes sent for {raw} bytes of text");
        Assert.Contains(h.Log.Lines, l => l.Contains($"60 files of images packed into one {DatasetPublisher.ArchiveName}"));

        // Bob's account needs the same source: the zip packed for Alice goes up again, it is not packed twice.
        var bobSlug = await h.Drive(publisher.EnsureAsync(h.Bob(), "bob", source, CancellationToken.None));
        Assert.Equal(slug, bobSlug);
        Assert.Equal([DatasetPublisher.ArchiveName], h.Server.State.UploadNames("bob"));
        Assert.Equal(60, h.Server.State.DatasetFiles("bob", bobSlug).Count);
        Assert.Single(h.Log.Lines, l => l.Contains("packed into one"));
        var archives = Path.Combine(h.Workspace, "kaggle", "archives");
        Assert.Single(Directory.GetFiles(archives, "*.zip"));

        publisher.Dispose(); // the run or tick ends: its zips go
        Assert.Empty(Directory.GetFiles(archives));
    }

    [Fact]
    public async Task A_flat_folder_of_few_files_goes_up_file_by_file()
    {
        await using var h = await Harness.StartAsync();
        var source = Folder(h, "few", 3, nested: false);

        var slug = await h.Drive(Publisher(h).EnsureAsync(h.Alice(), "alice", source, CancellationToken.None));

        Assert.Equal(["000.txt", "001.txt", "002.txt"], h.Server.State.UploadNames("alice").Order(StringComparer.Ordinal));
        Assert.Equal(["000.txt", "001.txt", "002.txt"], h.Server.State.DatasetFiles("alice", slug));
    }

    [Fact]
    public async Task An_uploaded_archive_with_an_entry_escaping_its_folder_fails_the_dataset()
    {
        await using var h = await Harness.StartAsync();
        var alice = h.Alice();
        var zip = Path.Combine(h.Workspace, "evil.zip");
        Directory.CreateDirectory(h.Workspace);
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using (var writer = new StreamWriter(archive.CreateEntry("ok.txt").Open()))
                writer.Write("fine");
            using (var writer = new StreamWriter(archive.CreateEntry("../../outside.txt").Open()))
                writer.Write("escapes");
        }
        var token = await new BlobUploader(alice).UploadAsync(zip, "archive.zip", CancellationToken.None);
        await alice.CreateDatasetAsync(new CreateDatasetRequest { OwnerSlug = "alice", Slug = "evil-data", Title = "Evil data", Files = [new() { Token = token }] },
            CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(DatabundleVersionStatus.Failed, (await alice.GetDatasetStatusAsync("alice", "evil-data", CancellationToken.None)).Status);
        Assert.Contains("entry '../../outside.txt' climbs out of its folder", h.Server.State.DatasetFailure("alice", "evil-data"));
    }
}
