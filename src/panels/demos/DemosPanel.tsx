// Placeholder until this panel's issue lands; owned by the helper building src/panels/demos/.
export function DemosPanel() {
  return <div className="panel note">This panel is being built.</div>;
}
