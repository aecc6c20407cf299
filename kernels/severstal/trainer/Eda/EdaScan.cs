using System.Collections.Concurrent;
using SteelCI.Training;

namespace Severstal.Eda;

/// <summary>
/// One pass over a Severstal folder (train.csv + train_images/): every image is decoded once, by
/// <paramref name="threads"/> workers, and only its facts are kept, so memory stays flat however many images there are
/// (the labels' text plus about a hundred bytes per image).
/// </summary>
public static class EdaScan
{
    public static (EdaSummary Summary, List<ImageFacts> Facts, Dictionary<string, List<LabelRow>> Labels) Run(string folder, int threads, Action<string>? progress = null)
    {
        var labels = LabelRows.Read(Path.Combine(folder, "train.csv"));
        var imagesFolder = Path.Combine(folder, "train_images");
        if (!Directory.Exists(imagesFolder))
            throw new BadInputException($"{imagesFolder} not found");
        var ids = Directory.EnumerateFiles(imagesFolder, "*.jpg").Select(Path.GetFileName).OfType<string>()
            .Order(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
            throw new BadInputException($"{imagesFolder}: no .jpg images");
        var present = ids.ToHashSet(StringComparer.Ordinal);
        var facts = new ConcurrentBag<ImageFacts>();
        var done = 0;
        Parallel.ForEach(ids, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, id =>
        {
            facts.Add(ImageFacts.Inspect(imagesFolder, id, labels.TryGetValue(id, out var rows) ? rows : []));
            var count = Interlocked.Increment(ref done);
            if (count % 2000 == 0)
                progress?.Invoke($"{count} of {ids.Count} images read");
        });
        var list = facts.OrderBy(f => f.Id, StringComparer.Ordinal).ToList();
        return (new EdaSummary(list, labels.Keys.Count(id => !present.Contains(id))), list, labels);
    }
}
