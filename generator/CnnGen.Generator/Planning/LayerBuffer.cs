namespace CnnGen.Generator.Planning;

/// <summary>How long a layer's private buffer lives, which decides how big it is.</summary>
internal enum BufferLifetime
{
    /// <summary>Kept per sample while training (backward reads it); one per worker thread at inference.</summary>
    CachedForBackward,

    /// <summary>Per sample, training only (dropout masks).</summary>
    TrainingBatch,

    /// <summary>One per worker thread, used inside backward only.</summary>
    BackwardScratch,

    /// <summary>One per worker thread, in both modes (a padded pooling layer's bordered planes).</summary>
    WorkerScratch,

    /// <summary>One per worker thread but the first, which writes straight into <c>Gradients</c>.</summary>
    WorkerGradient,

    /// <summary>One for the whole network, inference only (weights packed for a kernel).</summary>
    InferenceShared,

    /// <summary>One for the whole network, training only (weights packed for a backward kernel).</summary>
    TrainingShared,

    /// <summary>One for the whole network, inference and training (weights packed for a forward kernel both run).</summary>
    Shared,
}

/// <summary>A private buffer a layer needs besides its input and output tensors.</summary>
internal sealed record LayerBuffer(string Field, int SampleSize, BufferLifetime Lifetime)
{
    /// <summary>What this buffer holds at inference, as floats per sample, per worker and fixed.</summary>
    public ArenaTerms Inference => Lifetime switch
    {
        BufferLifetime.CachedForBackward or BufferLifetime.WorkerScratch => new(0, SampleSize, 0),
        BufferLifetime.InferenceShared or BufferLifetime.Shared => new(0, 0, SampleSize),
        _ => default,
    };

    /// <summary>What this buffer holds for a training step, as floats per sample, per worker and fixed.</summary>
    public ArenaTerms Training => Lifetime switch
    {
        BufferLifetime.CachedForBackward or BufferLifetime.TrainingBatch => new(SampleSize, 0, 0),
        BufferLifetime.BackwardScratch or BufferLifetime.WorkerScratch => new(0, SampleSize, 0),
        BufferLifetime.WorkerGradient => new(0, SampleSize, -SampleSize), // (workers − 1) of them
        BufferLifetime.TrainingShared or BufferLifetime.Shared => new(0, 0, SampleSize),
        _ => default,
    };
}

/// <summary>An arena's size as <c>batch·PerSample + workers·PerWorker + Fixed</c> floats.</summary>
internal readonly record struct ArenaTerms(long PerSample, long PerWorker, long Fixed)
{
    public static ArenaTerms operator +(ArenaTerms a, ArenaTerms b) => new(a.PerSample + b.PerSample, a.PerWorker + b.PerWorker, a.Fixed + b.Fixed);

    public long Floats(int batch, int workers) => (batch * PerSample) + (workers * PerWorker) + Fixed;

    /// <summary>The size in bytes as a C# expression over <c>batchSize</c> and <c>workers</c>.</summary>
    public string BytesExpression()
    {
        string sum = $"((long)batchSize * {Text(PerSample)})";
        if (PerWorker != 0)
        {
            sum += $" + ((long)workers * {Text(PerWorker)})";
        }

        if (Fixed != 0)
        {
            sum += Fixed > 0 ? $" + {Text(Fixed)}" : $" - {Text(-Fixed)}";
        }

        return $"4L * ({sum})";
    }

    private static string Text(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
