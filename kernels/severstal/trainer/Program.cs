using Severstal.Stages;
using SteelCI.Training;

// The Severstal trainer: one process per stage attempt, following SteelCI's trainer contract (docs/contracts.md).
var entries = new Dictionary<string, Func<StageContext, StageOutcome>>
{
    ["synthesize"] = SynthesizeStage.Run,
    ["eda"] = EdaStage.Run, // exploratory analysis: report.md, charts, metrics (CPU)
    ["binary"] = ClassifierStage.Binary,
    ["multilabel"] = ClassifierStage.MultiLabel,
    ["segment"] = SegmenterStage.Run,
    ["submit"] = SubmitStage.Run,
    ["predict"] = PredictStage.Run, // steelci predict: trained models on new images (submission.csv + overlays)
};
return TrainerHost.Run(args, entries, TimeProvider.System, Console.Out);
