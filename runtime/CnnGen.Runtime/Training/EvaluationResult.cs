namespace CnnGen.Runtime.Training;

/// <summary>The result of <see cref="Trainer.Evaluate"/>.</summary>
/// <param name="Loss">The mean loss per sample.</param>
/// <param name="Accuracy">The fraction of samples whose largest output is the label.</param>
/// <param name="Count">The number of samples evaluated.</param>
public readonly record struct EvaluationResult(float Loss, float Accuracy, int Count);
