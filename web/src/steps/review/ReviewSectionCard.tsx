import type { ReviewItem, ReviewSection } from '../../../../contract/config-iso';
import type { StepId } from '../step-id';

const CHANGE_BADGE: Record<ReviewItem['change'], string> = {
  new: 'badge badge-neutral',
  unchanged: 'badge badge-success',
  changed: 'badge badge-warning',
};

/**
 * One section of the review: its values and, after an import, what changed since the imported ISO
 * (a new deployment has nothing to compare with, so it shows no change column).
 */
export function ReviewSectionCard({
  section,
  imported,
  goTo,
}: {
  section: ReviewSection;
  imported: boolean;
  goTo: (id: StepId) => void;
}) {
  const titleId = `review-${section.id}`;
  return (
    <section className="card review-section" aria-labelledby={titleId}>
      <div className="review-section-head">
        <h2 id={titleId}>{section.title}</h2>
        {section.complete ? (
          <span className="badge badge-success">complete</span>
        ) : (
          <span className="badge badge-error">not complete</span>
        )}
        <button type="button" className="button-link" onClick={() => goTo(section.id)}>
          {section.complete
            ? `Change ${section.title.toLowerCase()}`
            : `Complete ${section.title.toLowerCase()}`}
        </button>
      </div>
      {section.items.length === 0 && !section.complete && (
        <p className="review-empty">Nothing entered yet: open this step to fill it in.</p>
      )}
      {section.items.length > 0 && (
        <table className="data">
          <caption className="visually-hidden">{section.title}</caption>
          <thead>
            <tr>
              <th scope="col">Setting</th>
              <th scope="col">Value</th>
              {imported && <th scope="col">Since the imported ISO</th>}
            </tr>
          </thead>
          <tbody>
            {section.items.map((item) => (
              <tr key={item.label}>
                <th scope="row">{item.label}</th>
                <td className="review-value">{item.value}</td>
                {imported && (
                  <td>
                    <span className={CHANGE_BADGE[item.change]}>{item.change}</span>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {section.facts && section.facts.length > 0 && (
        <ul className="review-facts">
          {section.facts.map((fact) => (
            <li key={fact}>{fact}</li>
          ))}
        </ul>
      )}
      {section.notes.length > 0 && (
        <ul className="review-notes">
          {section.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
