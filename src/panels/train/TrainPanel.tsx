// Placeholder until this panel's issue lands; owned by the helper building src/panels/train/.
export function TrainPanel() {
  return <div className="panel note">This panel is being built.</div>;
}
